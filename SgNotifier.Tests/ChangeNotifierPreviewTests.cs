using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>
/// README: "preview reads the directory and never writes it". <see cref="ChangeNotifier.PreviewAsync"/> on the real
/// composition, with a directory that records every call; <see cref="ChangeNotifier.NotifyAsync"/> on the same
/// message proves the recorder sees the writes a delivery makes.
/// </summary>
public sealed class ChangeNotifierPreviewTests
{
    private const string GroupId = "sg-0a1b2c3d4e5f60718";

    public static TheoryData<string> Messages() => new()
    {
        RepositoryPaths.TestData("CloudTrail", "security-group-call", "create-tags-on-security-group.json"),
        RepositoryPaths.TestData("CloudTrail", "security-group-call", "authorize-ingress-console-rdp-open-to-world.json"),
        RepositoryPaths.TestData("CloudTrail", "security-group-call", "delete-security-group-by-cloudformation.json"),
        Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json"),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Preview_ReadsTheGroupDirectory_AndNeverWritesIt(string file)
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup(GroupId, "web", "vpc-0123456789abcdef0",
            new Dictionary<string, string> { ["NotifyOnChange"] = "Yes", ["OwnerDL"] = "new-owner@example.com" }, []));
        var outbox = Directory.CreateTempSubdirectory("sgnotifier-preview-directory-");
        try
        {
            var directory = new RecordingGroupDirectory();
            await using var services = Services(stub, directory, outbox.FullName);
            var notifier = services.GetRequiredService<ChangeNotifier>();
            var message = await File.ReadAllTextAsync(file);

            var preview = await notifier.PreviewAsync(null, message, CancellationToken.None);

            Assert.Equal(DeliveryOutcome.Notify, preview.Outcome);
            Assert.False(preview.Retry, preview.Detail);
            Assert.Empty(directory.Remembered);
            if (ChangeSources.Detect(message) == ChangeSource.CloudTrail)
            {
                Assert.Contains(GroupId, directory.Read);
            }

            // The same message delivered for real is remembered once answered: the recorder would have seen a write.
            var delivered = await notifier.NotifyAsync(Notification(message), CancellationToken.None);
            Assert.Equal(NotifyReasons.Sent, delivered.Reason);
            Assert.NotEmpty(directory.Remembered);
        }
        finally
        {
            outbox.Delete(recursive: true);
        }
    }

    private static SnsMessage Notification(string message) => new(
        SnsMessageType.Notification, Guid.NewGuid().ToString(), SnsTestHost.DefaultTopics, message, "2026-11-24T09:15:00.000Z",
        null, "1", "signature", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem", null, null, null);

    private static ServiceProvider Services(AwsApiStub stub, IGroupDirectory directory, string outbox)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(SnsTestHost.RequiredDefaults)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics,
                ["Notify:Sources:0"] = "Config",
                ["Notify:Sources:1"] = "CloudTrail",
                ["Aws:Ec2ServiceUrl"] = stub.Url,
                ["Aws:StsServiceUrl"] = stub.Url,
                ["Aws:RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
                ["Aws:ExternalId"] = AwsTestSetup.ExternalId,
                ["Aws:MaxErrorRetry"] = "0",
                ["Email:Provider"] = "Outbox",
                ["Email:From"] = "sgnotifier@example.com",
                ["Email:Outbox:Directory"] = outbox,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSgNotifier(configuration, "Production");

        // The stub's base keys, as the default chain would give them; the recording directory in place of Memory.
        services.AddSingleton(provider => AwsTestSetup.Credentials(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Aws.AwsOptions>>().Value));
        services.AddSingleton(directory);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>An in-memory directory that records which groups were read and every state remembered.</summary>
    private sealed class RecordingGroupDirectory : IGroupDirectory
    {
        public ConcurrentBag<string> Read { get; } = [];

        public ConcurrentBag<GroupState> Remembered { get; } = [];

        public Task<GroupState?> GetAsync(string accountId, string region, string groupId, CancellationToken cancellationToken)
        {
            Read.Add(groupId);
            return Task.FromResult<GroupState?>(null);
        }

        public Task RememberAsync(GroupState state, CancellationToken cancellationToken)
        {
            Remembered.Add(state);
            return Task.CompletedTask;
        }
    }
}
