using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 18's repro through <c>sgnotifier serve</c> as a process: a loopback SES stand-in that accepts every send and
/// answers after 4 s (past the 3 s <c>Email:Retry:AttemptTimeout</c>, inside the 8 s total) used to receive three
/// <c>SendEmail</c> POSTs for one delivery (three mails) and answer 503; now it receives one. And an SES sender with no
/// AWS credentials anywhere answers 503 <c>credentials-unavailable</c>, not a 500.
/// </summary>
public sealed class ServeSendOnceTests
{
    [Fact]
    public async Task SlowSesAcceptingEverySendAfterFourSeconds_GetsExactlyOneSendEmailPost()
    {
        var posts = 0;
        await using var ses = await LoopbackHttpStub.StartAsync(async (context, _) =>
        {
            var n = Interlocked.Increment(ref posts);
            await Task.Delay(TimeSpan.FromSeconds(4), CancellationToken.None);
            await context.Response.WriteAsync("{\"MessageId\":\"slow-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}");
        });
        using var signer = new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var owner = ConfigChanges.UniqueOwner("serve");
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 401), DateTimeOffset.UtcNow);
        var environment = await EnvironmentAsync(ses.BaseUri);
        environment["Email__Ses__AccessKeyId"] = "AKIDEXAMPLE";
        environment["Email__Ses__SecretAccessKey"] = "stand-in-secret";

        var certificates = await CertificatesAsync(signer);
        try
        {
            await using var serve = await ServeProcess.StartAsync(["--cert-dir", certificates.FullName], environment);
            using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

            var first = await DeliverAsync(http, body);
            var again = await DeliverAsync(http, body);

            Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
            Assert.Equal((HttpStatusCode.OK, "duplicate"), again);
            Assert.Equal(1, Volatile.Read(ref posts));
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SesWithNoAwsCredentialsAnywhere_Answers503CredentialsUnavailable()
    {
        await using var ses = await LoopbackHttpStub.StartAsync(static (context, _) => context.Response.WriteAsync("{\"MessageId\":\"never\"}"));
        using var signer = new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner("nocreds"), 402), DateTimeOffset.UtcNow);
        var environment = await EnvironmentAsync(ses.BaseUri);
        var nowhere = Path.Combine(Path.GetTempPath(), "sgnotifier-no-aws-" + Guid.NewGuid().ToString("N"));
        foreach (var name in new[]
                 {
                     "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                 })
        {
            environment[name] = string.Empty;
        }

        environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(nowhere, "credentials");
        environment["AWS_CONFIG_FILE"] = Path.Combine(nowhere, "config");
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        environment["HOME"] = nowhere;

        var certificates = await CertificatesAsync(signer);
        try
        {
            await using var serve = await ServeProcess.StartAsync(["--cert-dir", certificates.FullName], environment);
            using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

            var answer = await DeliverAsync(http, body);

            Assert.True(answer == (HttpStatusCode.ServiceUnavailable, "credentials-unavailable"), $"{answer}\n{serve.Output}");
            Assert.Empty(ses.Requests);
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    private static async Task<Dictionary<string, string>> EnvironmentAsync(Uri ses) =>
        new Dictionary<string, string>(ServeProcess.ProductionSesEnvironment(ses))
        {
            ["Ledger__Provider"] = "Table",
            ["Ledger__ConnectionString"] = await SharedEmulators.TableConnectionStringAsync(),
            ["Ledger__TableName"] = "serveonce" + Guid.NewGuid().ToString("N")[..20],
        };

    private static async Task<DirectoryInfo> CertificatesAsync(TestSnsSigner signer)
    {
        var certificates = Directory.CreateTempSubdirectory("sgnotifier-once-certs-");
        await File.WriteAllBytesAsync(Path.Combine(certificates.FullName, signer.CertificateName), signer.CertificatePem);
        return certificates;
    }

    private static async Task<(HttpStatusCode Status, string? Reason)> DeliverAsync(HttpClient http, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = Encoding.UTF8.WebName };
        request.Headers.Add("x-amz-sns-message-type", "Notification");
        request.Headers.Add("x-amz-sns-topic-arn", ConfigChanges.Topic);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())?["reason"]);
    }
}
