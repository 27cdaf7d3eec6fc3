using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SgNotifier.Core.Sns;

namespace SgNotifier.Benchmarks.Inputs;

/// <summary>
/// Plays SNS for generated inputs: an RSA-2048 key with a self-signed certificate served from the pinned URL of the
/// topic's region, and Notification bodies signed the way SNS signs them.
/// </summary>
internal sealed class BenchmarkSnsSigner : IDisposable
{
    public const string CertificateFileName = "SimpleNotificationService-0badc0de0badc0de0badc0de0badc0de.pem";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // SNS escapes quotes in Message as \" (not \u0022): keep the generated bodies the size SNS would send.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly RSA _key = RSA.Create(2048);

    public BenchmarkSnsSigner(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest("CN=sns.amazonaws.com", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        CertificatePem = Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());
    }

    public byte[] CertificatePem { get; }

    public static string CertificateUrl(string region) => $"https://sns.{region}.amazonaws.com/{CertificateFileName}";

    /// <summary>A signed SNS Notification HTTP body, fields in the order SNS writes them.</summary>
    public byte[] Notification(string topicArn, string message, string? subject, DateTimeOffset timestamp, string signatureVersion = "1")
    {
        var region = topicArn.Split(':')[3];
        var unsigned = new SnsMessage(
            SnsMessageType.Notification,
            Guid.NewGuid().ToString(),
            topicArn,
            message,
            timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            subject,
            signatureVersion,
            null,
            CertificateUrl(region),
            null,
            null,
            $"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topicArn}:5e0dea5e-f345-415c-8459-8f547c01739e");
        var hash = SnsSignature.HashFor(signatureVersion) ?? throw new ArgumentException("SignatureVersion must be 1 or 2", nameof(signatureVersion));
        var signature = _key.SignData(Encoding.UTF8.GetBytes(SnsSignature.StringToSign(unsigned)), hash, RSASignaturePadding.Pkcs1);
        return Serialize(unsigned with { Signature = Convert.ToBase64String(signature) });
    }

    /// <summary>The certificate's public key, parsed once by the caller (who disposes it), as a verifier caches it.</summary>
    public RSA PublicKey()
    {
        using var certificate = X509CertificateLoader.LoadCertificate(CertificatePem);
        return certificate.GetRSAPublicKey()!;
    }

    public void Dispose() => _key.Dispose();

    private static byte[] Serialize(SnsMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("Type", message.Type.ToString());
            writer.WriteString("MessageId", message.MessageId);
            writer.WriteString("TopicArn", message.TopicArn);
            if (message.Subject is not null)
            {
                // EventBridge publishes without a subject.
                writer.WriteString("Subject", message.Subject);
            }

            writer.WriteString("Message", message.Message);
            writer.WriteString("Timestamp", message.Timestamp);
            writer.WriteString("SignatureVersion", message.SignatureVersion);
            writer.WriteString("Signature", message.Signature);
            writer.WriteString("SigningCertURL", message.SigningCertUrl);
            writer.WriteString("UnsubscribeURL", message.UnsubscribeUrl);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
