using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Config;
using SgNotifier.Tests.Fuzz;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>CloudTrail's LookupEvents quota (2 TPS per account and region) is spent only on changes that may still be mailed.</summary>
public sealed class ChangeNotifierActorLookupTests
{
    private static readonly DateTimeOffset Capture = new(2026, 11, 24, 9, 15, 2, 118, TimeSpan.Zero);

    [Fact]
    public async Task RedeliveryOfAnAlreadySentChange_MakesNoLookupEventsCall()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["210987654321"] = [CloudTrailActorResolverTests.Record("sso", "11111111-1111-4111-8111-111111111111", Capture.AddSeconds(-25))];
        var sender = new FuzzHost.MemoryEmailSender();
        var time = new FakeTimeProvider(Capture.AddMinutes(1));
        await using var provider = Build(stub, sender, time);
        var notifier = provider.GetRequiredService<ChangeNotifier>();
        var message = Message();

        var first = await notifier.NotifyAsync(message, CancellationToken.None);
        var lookupsAfterFirst = stub.CloudTrailRequests.Count();
        time.Advance(TimeSpan.FromMinutes(45)); // past the resolver's 30-minute cache of found actors
        var again = await notifier.NotifyAsync(message, CancellationToken.None);

        Assert.Equal(NotifyReasons.Sent, first.Reason);
        Assert.Equal(ActorStatus.Found, first.Decision!.Actors.Status);
        Assert.Contains("jane.doe@example.com", first.Email!.Subject, StringComparison.Ordinal);
        Assert.Equal(1, lookupsAfterFirst);
        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
        Assert.False(again.Retry);
        Assert.Equal(lookupsAfterFirst, stub.CloudTrailRequests.Count());
        Assert.Equal(1, sender.Sent);
    }

    [Fact]
    public async Task RedeliveryOfAChangeMailedWithoutItsActor_MakesNoLookupEventsCall()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var sender = new FuzzHost.MemoryEmailSender();
        await using var provider = Build(stub, sender, new FakeTimeProvider(Capture.AddMinutes(1)));
        var notifier = provider.GetRequiredService<ChangeNotifier>();
        var message = Message();

        var first = await notifier.NotifyAsync(message, CancellationToken.None);
        var lookupsAfterFirst = stub.CloudTrailRequests.Count();
        var again = await notifier.NotifyAsync(message, CancellationToken.None);

        Assert.Equal(NotifyReasons.Sent, first.Reason);
        Assert.Equal(ActorStatus.NotFound, first.Decision!.Actors.Status);
        Assert.True(lookupsAfterFirst > 0);
        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
        Assert.Equal(lookupsAfterFirst, stub.CloudTrailRequests.Count());
        Assert.Equal(1, sender.Sent);
    }

    private static SnsMessage Message() => new(
        SnsMessageType.Notification, "5f1a0c1e-0000-4000-8000-000000000001", "arn:aws:sns:eu-west-1:210987654321:config",
        File.ReadAllText(RepositoryPaths.TestData("Actors", "rdp-opened-v13.json")), "2026-11-24T09:16:02.000Z", null, null, null, null, null, null, null);

    private static ServiceProvider Build(AwsApiStub stub, IEmailSender sender, FakeTimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSgNotifierForTests(new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics,
            ["Aws:LookupActors"] = "true",
            ["Aws:CloudTrailServiceUrl"] = stub.Url,
            ["Aws:StsServiceUrl"] = stub.Url,
            ["Aws:Ec2ServiceUrl"] = stub.Url,
            ["Aws:RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
            ["Aws:ExternalId"] = AwsTestSetup.ExternalId,
            ["Aws:MaxErrorRetry"] = "0",
        });
        services.AddSingleton(static sp => new AwsCredentialCache(
            sp.GetRequiredService<IOptions<AwsOptions>>().Value, sp.GetRequiredService<TimeProvider>(), NullLogger<AwsCredentialCache>.Instance, null,
            new BasicAWSCredentials(AwsApiStub.BaseAccessKey, AwsApiStub.BaseSecretKey)));
        services.RemoveAll<IEmailSender>();
        services.AddSingleton(sender);
        return services.BuildServiceProvider();
    }
}
