using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>
/// EC2 answered in process: the SDK's EC2 client sends through this handler (<see cref="Factory"/>, given to
/// <c>AwsClients</c>), which answers <c>DescribeSecurityGroupRules</c> and <c>DescribeSecurityGroups</c> with fixed XML
/// bodies from memory and anything else with a 400, without a socket. The target is the in-process cost
/// "without the AWS calls": what is left is the SDK's request marshalling and signing and its response parsing.
/// </summary>
internal sealed class InProcessEc2(byte[] describeSecurityGroups, byte[] describeSecurityGroupRules) : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue Xml = new("text/xml") { CharSet = "UTF-8" };

    /// <summary>Requests answered, by action: setup checks that both reads happened.</summary>
    public int DescribeSecurityGroupsCalls { get; private set; }

    public int DescribeSecurityGroupRulesCalls { get; private set; }

    public HttpClientFactory Factory => new SingleClientFactory(this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The query protocol: the action is the form body's Action parameter.
        var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        byte[]? body = null;
        switch (Action(form))
        {
            case "DescribeSecurityGroupRules":
                DescribeSecurityGroupRulesCalls++;
                body = describeSecurityGroupRules;
                break;
            case "DescribeSecurityGroups":
                DescribeSecurityGroupsCalls++;
                body = describeSecurityGroups;
                break;
        }

        var content = new ByteArrayContent(body ?? "<Response><Errors><Error><Code>InvalidAction</Code><Message>not answered in process</Message></Error></Errors></Response>"u8.ToArray());
        content.Headers.ContentType = Xml;
        return new HttpResponseMessage(body is null ? HttpStatusCode.BadRequest : HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    private static string Action(string form)
    {
        var start = form.StartsWith("Action=", StringComparison.Ordinal) ? 7 : form.IndexOf("&Action=", StringComparison.Ordinal) is >= 0 and var at ? at + 8 : -1;
        if (start < 0)
        {
            return string.Empty;
        }

        var end = form.IndexOf('&', start);
        return form[start..(end < 0 ? form.Length : end)];
    }

    /// <summary>One <see cref="HttpClient"/> over the handler for every SDK client, cached by the SDK.</summary>
    private sealed class SingleClientFactory(InProcessEc2 handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }
}
