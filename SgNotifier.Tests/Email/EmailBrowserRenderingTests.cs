using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using SgNotifier.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SgNotifier.Tests.Email;

/// <summary>
/// The golden HTML mails rendered in a real browser, headless Chromium: the page lays out, the rules table and every
/// link are visible, and nothing in it is script. A screenshot of each is kept (<see cref="HeadlessChromium.ArtifactsDirectory"/>).
/// Mail clients are not browsers, so the AngleSharp checks of <see cref="EmailRendererTests"/> stay.
/// </summary>
public sealed class EmailBrowserRenderingTests(ITestOutputHelper output)
{
    /// <summary>Added after the mail's own markup: measures the laid-out page and writes the result into the DOM for --dump-dom.</summary>
    private const string Probe = """
        <script>
        (function () {
          var own = document.currentScript;
          var result = { scripts: 0, handlers: 0, scriptUrls: 0, tables: [], links: [], width: document.documentElement.scrollWidth };
          document.querySelectorAll('script').forEach(function (s) { if (s !== own) { result.scripts++; } });
          document.querySelectorAll('*').forEach(function (e) {
            for (var i = 0; i < e.attributes.length; i++) {
              var a = e.attributes[i];
              if (/^on/i.test(a.name)) { result.handlers++; }
              if (/^\s*(javascript|vbscript|data):/i.test(a.value)) { result.scriptUrls++; }
            }
          });
          function box(e) {
            var r = e.getBoundingClientRect(), s = getComputedStyle(e);
            return { width: Math.round(r.width), height: Math.round(r.height), left: Math.round(r.left), top: Math.round(r.top),
                     visible: s.visibility === 'visible' && s.display !== 'none' && s.opacity !== '0' && r.width > 0 && r.height > 0 };
          }
          document.querySelectorAll('table').forEach(function (t) {
            var b = box(t);
            b.headers = Array.prototype.map.call(t.querySelectorAll('th'), function (h) { return h.textContent.trim(); });
            b.rows = t.rows.length;
            result.tables.push(b);
          });
          document.querySelectorAll('a').forEach(function (a) {
            var b = box(a);
            b.href = a.getAttribute('href');
            b.text = a.textContent.trim();
            result.links.push(b);
          });
          var pre = document.createElement('pre');
          pre.id = 'sgnotifier-layout';
          pre.textContent = JSON.stringify(result);
          document.body.appendChild(pre);
          own.remove();
        })();
        </script>
        """;

    public static TheoryData<string> Goldens()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.TestData("Email"), "*.expected.html").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [ChromiumTheory]
    [MemberData(nameof(Goldens))]
    public async Task Golden_mail_lays_out_in_headless_chromium_with_rules_table_and_links_visible_and_no_script(string golden)
    {
        Assert.True(HeadlessChromium.ExecutablePath is not null, "chromium is not installed, and CI must run this test: .ci/run installs it (apt-get install chromium)");
        var html = File.ReadAllText(RepositoryPaths.TestData("Email", golden));
        using var folder = new TempFolder();
        var page = Path.Combine(folder.Path, "mail.html");
        File.WriteAllText(page, html);
        var probed = Path.Combine(folder.Path, "probed.html");
        Assert.Contains("</body>", html, StringComparison.Ordinal);
        File.WriteAllText(probed, html.Replace("</body>", Probe + "\n</body>", StringComparison.Ordinal));

        var dom = await HeadlessChromium.RunAsync(new Uri(probed), "--window-size=900,1400", "--dump-dom");
        var layoutText = new HtmlParser().ParseDocument(dom).GetElementById("sgnotifier-layout")?.TextContent;
        Assert.True(layoutText is not null, "the page did not load and lay out in chromium:\n" + dom);
        var layout = JsonNode.Parse(layoutText)!;

        Assert.Equal(0, (int)layout["scripts"]!);
        Assert.Equal(0, (int)layout["handlers"]!);
        Assert.Equal(0, (int)layout["scriptUrls"]!);

        var source = new HtmlParser().ParseDocument(html);
        var tables = layout["tables"]!.AsArray();
        Assert.Equal(source.QuerySelectorAll("table").Length, tables.Count);
        Assert.All(tables, t => Assert.True((bool)t!["visible"]!, "table not visible: " + t.ToJsonString()));
        if (source.QuerySelectorAll("th").Any(th => th.TextContent.Trim() == "Protocol"))
        {
            var rules = Assert.Single(tables, t => t!["headers"]!.AsArray().Any(h => (string?)h == "Protocol"))!;
            Assert.Superset(new HashSet<string> { "Direction", "Protocol", "Ports", "Peer" }, new HashSet<string>(rules["headers"]!.AsArray().Select(h => (string)h!)));
            Assert.True((int)rules["rows"]! >= 2, "the rules table has no rule row");
            Assert.True((int)rules["width"]! >= 300 && (int)rules["height"]! >= 40, "the rules table did not lay out: " + rules.ToJsonString());
        }

        var links = layout["links"]!.AsArray();
        Assert.Equal(source.QuerySelectorAll("a").Length, links.Count);
        Assert.All(links, l =>
        {
            Assert.True((bool)l!["visible"]!, "link not visible: " + l.ToJsonString());
            Assert.StartsWith("https://", (string?)l["href"], StringComparison.Ordinal);
            Assert.NotEmpty((string?)l["text"] ?? string.Empty);
        });

        var screenshot = Path.Combine(HeadlessChromium.ArtifactsDirectory("email-screenshots"), Path.GetFileNameWithoutExtension(golden) + ".png");
        File.Delete(screenshot);
        await HeadlessChromium.RunAsync(new Uri(page), "--window-size=900,1400", "--hide-scrollbars", "--screenshot=" + screenshot);
        Assert.True(File.Exists(screenshot), "no screenshot written");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is nearly empty: " + screenshot);
        output.WriteLine("screenshot: " + screenshot);
    }
}
