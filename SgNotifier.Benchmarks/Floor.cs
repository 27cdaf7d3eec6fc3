using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SgNotifier.Benchmarks;

/// <summary>
/// The least any verifier of these messages must do, written by hand with no checks beyond that: read the SNS
/// envelope and the inner Config message with <see cref="JsonDocument"/>, write the canonical string as UTF-8 into a
/// pooled buffer, and verify the RSA signature with a key parsed once. What the app costs is reported against this.
/// </summary>
internal static class Floor
{
    /// <summary>The signed fields of a Notification, as received.</summary>
    public sealed record Fields(string Message, string MessageId, string? Subject, string Timestamp, string TopicArn, string Type, string SignatureVersion, string Signature);

    public static bool ParseAndVerify(byte[] body, RSA key)
    {
        Fields fields;
        using (var envelope = JsonDocument.Parse(body))
        {
            fields = Read(envelope.RootElement);
        }

        using (var inner = JsonDocument.Parse(fields.Message))
        {
            if (inner.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
        }

        return Verify(fields, key);
    }

    public static Fields Read(JsonElement root) => new(
        root.GetProperty("Message").GetString()!,
        root.GetProperty("MessageId").GetString()!,
        root.TryGetProperty("Subject", out var subject) ? subject.GetString() : null,
        root.GetProperty("Timestamp").GetString()!,
        root.GetProperty("TopicArn").GetString()!,
        root.GetProperty("Type").GetString()!,
        root.GetProperty("SignatureVersion").GetString()!,
        root.GetProperty("Signature").GetString()!);

    /// <summary>Canonical string of a Notification (Subject only when present) + RSA PKCS#1 v1.5 with SHA-1 or SHA-256.</summary>
    public static bool Verify(Fields fields, RSA key)
    {
        Span<byte> signature = stackalloc byte[512];
        if (!Convert.TryFromBase64String(fields.Signature, signature, out var signatureLength))
        {
            return false;
        }

        var hash = fields.SignatureVersion == "1" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var utf8 = Encoding.UTF8;
        var maxLength = utf8.GetMaxByteCount(fields.Message.Length + fields.MessageId.Length + (fields.Subject?.Length ?? 0) +
                                             fields.Timestamp.Length + fields.TopicArn.Length + fields.Type.Length) + 64;
        var buffer = ArrayPool<byte>.Shared.Rent(maxLength);
        try
        {
            var length = 0;
            length += Append(buffer.AsSpan(length), "Message"u8, fields.Message);
            length += Append(buffer.AsSpan(length), "MessageId"u8, fields.MessageId);
            if (fields.Subject is not null)
            {
                length += Append(buffer.AsSpan(length), "Subject"u8, fields.Subject);
            }

            length += Append(buffer.AsSpan(length), "Timestamp"u8, fields.Timestamp);
            length += Append(buffer.AsSpan(length), "TopicArn"u8, fields.TopicArn);
            length += Append(buffer.AsSpan(length), "Type"u8, fields.Type);
            return key.VerifyData(buffer.AsSpan(0, length), signature[..signatureLength], hash, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> key, string value)
    {
        key.CopyTo(destination);
        destination[key.Length] = (byte)'\n';
        var written = key.Length + 1;
        written += Encoding.UTF8.GetBytes(value, destination[written..]);
        destination[written++] = (byte)'\n';
        return written;
    }
}
