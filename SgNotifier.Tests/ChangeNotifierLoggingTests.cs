using System.Text;
using Microsoft.Extensions.Logging;
using SgNotifier.Core.Routing;
using SgNotifier.Tests.Infrastructure;
using SgNotifier.Tests.Routing;

namespace SgNotifier.Tests;

/// <summary>What the pipeline logs about a routed change, whichever source read it (moved here from the Config inspector).</summary>
public sealed class ChangeNotifierLoggingTests
{
    [Fact]
    public async Task UninspectedWithoutFallback_IsLoggedAsAnError()
    {
        using var host = new SnsTestHost();

        var result = await host.Handler.PreviewAsync(new MemoryStream(Encoding.UTF8.GetBytes(DecisionCorpus.Payload("oversized", "fetched-from-s3.json"))), CancellationToken.None);

        Assert.Equal(DecisionReasons.OversizedNoFallback, result.Reason);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), r => r.Id.Id == 2007 && r.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Logs_NeverContainAddressesOrTagValues()
    {
        using var host = new SnsTestHost();

        foreach (var file in new[] { "create-multiple-owners-invalid-and-external.json", "html-crlf-unicode-in-tags-and-descriptions.json" })
        {
            await host.Handler.PreviewAsync(new MemoryStream(Encoding.UTF8.GetBytes(DecisionCorpus.Payload("notify", file))), CancellationToken.None);
        }

        var logs = host.Logs.Collector.GetSnapshot();
        Assert.Contains(logs, static r => r.Id.Id == 2000);
        Assert.All(logs, r => Assert.DoesNotContain("@", r.Message, StringComparison.Ordinal));
        Assert.All(logs, r => Assert.DoesNotContain("<b>", r.Message, StringComparison.Ordinal));
    }
}
