using System.Globalization;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using SgNotifier.Core.Sns;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// SNS <c>Publish</c> over the Query protocol (form POST, XML answer), signed with AWSSDK.Core's SigV4 handler: the one
/// SNS call <c>replay</c> needs, without an SDK package the feed does not carry. Credentials come from the default AWS
/// chain. https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
/// </summary>
internal sealed class SnsTopicPublisher : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <param name="endpoint">The topic region's SNS endpoint, or an operator's override (a local emulator).</param>
    public SnsTopicPublisher(TopicArn topic, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(topic);
        _endpoint = endpoint;
        var parameters = new AWSSigV4Parameters
        {
            Region = RegionEndpoint.GetBySystemName(topic.Region),
            Service = "sns",
        };
        // Redirects are not followed below the signer: a redirected hop would go out unsigned.
        _http = new HttpClient(new SigV4SigningHandler(parameters, new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public static Uri EndpointFor(TopicArn topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return new Uri("https://" + topic.SnsHost + "/");
    }

    /// <summary>The new MessageId when SNS accepted the message; otherwise null and SNS's error code or our reason.</summary>
    public async Task<(string? MessageId, string? Problem)> PublishAsync(string topicArn, DeadLetterBody message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", "Publish"),
            new("Version", "2010-03-31"),
            new("TopicArn", topicArn),
            new("Message", message.Message),
        };
        if (message.Subject is { } subject)
        {
            form.Add(new("Subject", subject));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new FormUrlEncodedContent(form) };
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var xml = TryParse(text);
            if (response.IsSuccessStatusCode && xml?.Descendants().FirstOrDefault(static e => e.Name.LocalName == "MessageId")?.Value is { Length: > 0 } id)
            {
                return (id, null);
            }

            var code = xml?.Descendants().FirstOrDefault(static e => e.Name.LocalName == "Code")?.Value ?? "no error code";
            return (null, string.Create(CultureInfo.InvariantCulture, $"SNS answered {(int)response.StatusCode} {code}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AmazonClientException && !cancellationToken.IsCancellationRequested)
        {
            return (null, "SNS could not be reached (" + e.GetType().Name + ")");
        }
    }

    public void Dispose() => _http.Dispose();

    private static XDocument? TryParse(string text)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}
