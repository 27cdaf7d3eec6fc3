using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>
/// When the group directory learns from a Config delivery (issue 17): with CloudTrail on, once the delivery is answered
/// for good; never in preview; never with Config alone (nothing reads it then).
/// </summary>
public sealed class ChangeNotifierDirectoryTests : IDisposable
{
    private const string Account = "123456789012";
    private const string Region = "us-east-1";
    private readonly string outbox = Path.Combine(Path.GetTempPath(), "sgnotifier-directory-" + Guid.NewGuid().ToString("N"));
    private readonly TestSnsSigner signer = new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    [Fact]
    public async Task ConfigDelivery_WithCloudTrailOn_TeachesTheDirectoryTheGroupsTagsAndRules()
    {
        using var host = Host(cloudTrail: true);
        var owner = ConfigChanges.UniqueOwner();
        const string group = "sg-0d1d2d3d4d5d6d7d8";

        var result = await host.Handler.HandleAsync(Body(owner, group), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        var known = await host.Services.GetRequiredService<IGroupDirectory>().GetAsync(Account, Region, group, CancellationToken.None);
        Assert.NotNull(known);
        Assert.Equal(owner, known.Tags["OwnerDL"]);
        Assert.Equal("config", known.Origin);
        Assert.NotNull(known.Rules);
        Assert.Contains(known.Rules, static r => r.Rule.FromPort == 3389 && r.Rule.Peer == "0.0.0.0/0");
    }

    [Fact]
    public async Task ConfigDelivery_WithConfigAlone_WritesNothing()
    {
        using var host = Host(cloudTrail: false);
        const string group = "sg-0e1e2e3e4e5e6e7e8";

        var result = await host.Handler.HandleAsync(Body(ConfigChanges.UniqueOwner(), group), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        Assert.Null(await host.Services.GetRequiredService<IGroupDirectory>().GetAsync(Account, Region, group, CancellationToken.None));
    }

    [Fact]
    public async Task Preview_ReadsButNeverWritesTheDirectory()
    {
        using var host = Host(cloudTrail: true);
        const string group = "sg-0f1f2f3f4f5f6f7f8";

        var result = await host.Handler.PreviewAsync(Body(ConfigChanges.UniqueOwner(), group), CancellationToken.None);

        Assert.Equal("notify", result.OutcomeName);
        Assert.Null(await host.Services.GetRequiredService<IGroupDirectory>().GetAsync(Account, Region, group, CancellationToken.None));
    }

    public void Dispose()
    {
        signer.Dispose();
        if (Directory.Exists(outbox))
        {
            Directory.Delete(outbox, recursive: true);
        }
    }

    private MemoryStream Body(string owner, string group) =>
        new(signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 42, group), DateTimeOffset.UtcNow));

    private SnsTestHost Host(bool cloudTrail)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
            ["Email:Provider"] = "Outbox",
            ["Email:Outbox:Directory"] = outbox,
            ["Notify:Sources:0"] = "Config",
        };
        if (cloudTrail)
        {
            settings["Notify:Sources:1"] = "CloudTrail";
        }

        return new SnsTestHost(settings, certificates: signer.CertificateServer(), timeProvider: TimeProvider.System);
    }
}
