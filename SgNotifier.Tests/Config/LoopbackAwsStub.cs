using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SgNotifier.Tests.Config;

/// <summary>
/// A tiny S3 + EC2 on 127.0.0.1 (free port) for the AWS SDK's <c>ServiceURL</c>: GET /bucket/key answers S3 objects,
/// POST answers EC2's Query API (DescribeSecurityGroups). The real SDK clients talk to it over HTTP.
/// </summary>
internal sealed class LoopbackAwsStub : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackAwsStub(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>S3 objects by decoded path (<c>/bucket/key</c>).</summary>
    public ConcurrentDictionary<string, byte[]> S3Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Overrides every S3 answer, e.g. 503 SlowDown.</summary>
    public (int Status, string Body)? S3Failure { get; set; }

    /// <summary>The EC2 answer; null means 400 InvalidGroup.NotFound.</summary>
    public (int Status, string Body)? Ec2Response { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The <c>x-amz-expected-bucket-owner</c> header of each S3 GET (empty when absent).</summary>
    public ConcurrentQueue<string> ExpectedBucketOwners { get; } = new();

    public static async Task<LoopbackAwsStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new LoopbackAwsStub(app);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        stub.BaseAddress = new Uri(address);
        return stub;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
        {
            var path = context.Request.Path.Value!;
            Requests.Enqueue("S3 GET " + path);
            ExpectedBucketOwners.Enqueue(context.Request.Headers["x-amz-expected-bucket-owner"].ToString());
            if (S3Failure is { } failure)
            {
                await WriteAsync(context, failure.Status, failure.Body);
            }
            else if (S3Objects.TryGetValue(path, out var content))
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = content.Length;
                await context.Response.Body.WriteAsync(content);
            }
            else
            {
                await WriteAsync(context, 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>1</RequestId></Error>");
            }

            return;
        }

        var form = await context.Request.ReadFormAsync();
        Requests.Enqueue($"EC2 {form["Action"]} {form["GroupId.1"]}");
        var (status, body) = Ec2Response ??
            (400, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group does not exist</Message></Error></Errors><RequestID>1</RequestID></Response>");
        await WriteAsync(context, status, body);
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
