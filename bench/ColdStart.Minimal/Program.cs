using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

// Usage: ColdStart.Minimal <sns-body.json> <certificate.pem>
// Parses an SNS Notification and its inner JSON message, verifies the signature with the certificate and prints one
// word. The least a process can do before its first decision: what `sgnotifier preview` is compared with.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ColdStart.Minimal <sns-body.json> <certificate.pem>");
    return 2;
}

using var envelope = JsonDocument.Parse(File.ReadAllBytes(args[0]));
var root = envelope.RootElement;
string Field(string name) => root.GetProperty(name).GetString()!;

var message = Field("Message");
using (JsonDocument.Parse(message))
{
}

var canonical = new StringBuilder();
void Append(string key, string value) => canonical.Append(key).Append('\n').Append(value).Append('\n');
Append("Message", message);
Append("MessageId", Field("MessageId"));
if (root.TryGetProperty("Subject", out var subject) && subject.ValueKind == JsonValueKind.String)
{
    Append("Subject", subject.GetString()!);
}

Append("Timestamp", Field("Timestamp"));
Append("TopicArn", Field("TopicArn"));
Append("Type", Field("Type"));

using var certificate = X509CertificateLoader.LoadCertificateFromFile(args[1]);
using var key = certificate.GetRSAPublicKey()!;
var hash = Field("SignatureVersion") == "1" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
var verified = key.VerifyData(Encoding.UTF8.GetBytes(canonical.ToString()), Convert.FromBase64String(Field("Signature")), hash, RSASignaturePadding.Pkcs1);
Console.WriteLine(verified ? "verified" : "bad-signature");
return verified ? 0 : 1;
