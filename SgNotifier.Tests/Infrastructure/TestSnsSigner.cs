using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SgNotifier.Core.Sns;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// Signs SNS messages with a test RSA key, the way SNS does, and serves its certificate from the pinned URL of the
/// topic's region. AWS's genuine messages prove the string-to-sign; this makes fresh messages (any time, any body).
/// </summary>
public sealed class TestSnsSigner : IDisposable
{
    private readonly RSA _key;

    /// <param name="keySize">2048 as SNS uses; the fuzz signs thousands of messages and takes 1024, which verifies the same way.</param>
    public TestSnsSigner(DateTimeOffset notBefore, DateTimeOffset notAfter, string certificateName = "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem", int keySize = 2048)
    {
        _key = RSA.Create(keySize);
        var request = new CertificateRequest("CN=sns.amazonaws.com", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        CertificatePem = Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());
        CertificateName = certificateName;
    }

    public byte[] CertificatePem { get; }

    public string CertificateName { get; }

    public string CertificateUrl(string region) => $"https://sns.{region}.amazonaws.com/{CertificateName}";

    /// <summary>A handler that serves this signer's certificate at any URL ending in its name.</summary>
    public StubHttpMessageHandler CertificateServer() => new(request =>
        request.RequestUri!.AbsolutePath.EndsWith(CertificateName, StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(CertificatePem) }
            : new HttpResponseMessage(HttpStatusCode.NotFound));

    public byte[] Notification(string topicArn, string message, DateTimeOffset timestamp, string? subject = null, string signatureVersion = "2", string? messageId = null)
    {
        var region = topicArn.Split(':')[3];
        var sns = new SnsMessage(
            SnsMessageType.Notification,
            messageId ?? Guid.NewGuid().ToString(),
            topicArn,
            message,
            timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            subject,
            signatureVersion,
            null,
            CertificateUrl(region),
            null,
            null,
            $"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topicArn}:0000");
        return Serialize(sns with { Signature = Sign(sns) });
    }

    public byte[] Confirmation(SnsMessageType type, string topicArn, string token, string subscribeUrl, DateTimeOffset timestamp)
    {
        var region = topicArn.Split(':')[3];
        var sns = new SnsMessage(
            type,
            Guid.NewGuid().ToString(),
            topicArn,
            "You have chosen to subscribe to the topic " + topicArn,
            timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            null,
            "2",
            null,
            CertificateUrl(region),
            token,
            subscribeUrl,
            null);
        return Serialize(sns with { Signature = Sign(sns) });
    }

    public string Sign(SnsMessage message)
    {
        var hash = SnsSignature.HashFor(message.SignatureVersion) ?? HashAlgorithmName.SHA256;
        var bytes = Encoding.UTF8.GetBytes(SnsSignature.StringToSign(message));
        return Convert.ToBase64String(_key.SignData(bytes, hash, RSASignaturePadding.Pkcs1));
    }

    public static byte[] Serialize(SnsMessage message)
    {
        var fields = new Dictionary<string, string?>
        {
            ["Type"] = message.Type.ToString(),
            ["MessageId"] = message.MessageId,
            ["TopicArn"] = message.TopicArn,
            ["Subject"] = message.Subject,
            ["Message"] = message.Message,
            ["Timestamp"] = message.Timestamp,
            ["SignatureVersion"] = message.SignatureVersion,
            ["Signature"] = message.Signature,
            ["SigningCertURL"] = message.SigningCertUrl,
            ["Token"] = message.Token,
            ["SubscribeURL"] = message.SubscribeUrl,
            ["UnsubscribeURL"] = message.UnsubscribeUrl,
        };
        return JsonSerializer.SerializeToUtf8Bytes(fields.Where(static f => f.Value is not null).ToDictionary(static f => f.Key, static f => f.Value));
    }

    public void Dispose() => _key.Dispose();
}
