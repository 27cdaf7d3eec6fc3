using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace SgNotifier.Core.Sns;

/// <summary>The pure half of SNS verification: the string to sign and the RSA check.</summary>
public static class SnsSignature
{
    /// <summary>At most seven key/value pairs are signed (a confirmation's).</summary>
    private const int MaxSignedFields = 7;

    /// <summary>
    /// Builds the string AWS signs: <c>key\nvalue\n</c> for each applicable key in a fixed order, from the raw values.
    /// Subject is signed only when present. Confirmations sign Token too (AWS's JS validator wrongly omits it
    /// for UnsubscribeConfirmation).
    /// </summary>
    public static string StringToSign(SnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fields = new SignedFields();
        var count = Collect(message, fields);
        var builder = new StringBuilder(message.Message.Length + 512);
        for (var i = 0; i < count; i++)
        {
            builder.Append(fields[i * 2]).Append('\n').Append(fields[(i * 2) + 1]).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The hash of a supported <c>SignatureVersion</c>: "1" is SHA-1, "2" is SHA-256; anything else is null.</summary>
    public static HashAlgorithmName? HashFor(string? signatureVersion) => signatureVersion switch
    {
        "1" => HashAlgorithmName.SHA1,
        "2" => HashAlgorithmName.SHA256,
        _ => null,
    };

    /// <summary>RSA PKCS#1 v1.5 check of <see cref="SnsMessage.Signature"/> over <see cref="StringToSign"/>.</summary>
    public static bool Verify(SnsMessage message, RSA publicKey)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (HashFor(message.SignatureVersion) is not { } hash || message.Signature is null)
        {
            return false;
        }

        // RSA keys up to 4,096 bits; a longer Base64 value cannot be a signature of the certificate's key anyway.
        Span<byte> signature = stackalloc byte[512];
        if (!TryDecodeSignature(message.Signature, signature, out var signatureLength))
        {
            return false;
        }

        // The string to sign goes straight to UTF-8 in a pooled buffer: for a 200 KB Config message, building it as a
        // string first would allocate four times the message on every delivery.
        var fields = new SignedFields();
        var count = Collect(message, fields);
        var maxLength = 0;
        for (var i = 0; i < count * 2; i++)
        {
            maxLength += Encoding.UTF8.GetMaxByteCount(fields[i].Length) + 1;
        }

        var rented = ArrayPool<byte>.Shared.Rent(maxLength);
        try
        {
            var length = 0;
            for (var i = 0; i < count * 2; i++)
            {
                length += Encoding.UTF8.GetBytes(fields[i], rented.AsSpan(length));
                rented[length++] = (byte)'\n';
            }

            return publicKey.VerifyData(rented.AsSpan(0, length), signature[..signatureLength], hash, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The signed keys and values in AWS's order, as key, value, key, value…; returns the number of pairs.</summary>
    private static int Collect(SnsMessage message, Span<string> fields)
    {
        var count = 0;
        void Add(Span<string> to, string key, string value)
        {
            to[count * 2] = key;
            to[(count * 2) + 1] = value;
            count++;
        }

        Add(fields, "Message", message.Message);
        Add(fields, "MessageId", message.MessageId);
        if (message.Type == SnsMessageType.Notification)
        {
            if (message.Subject is not null)
            {
                Add(fields, "Subject", message.Subject);
            }

            Add(fields, "Timestamp", message.Timestamp);
            Add(fields, "TopicArn", message.TopicArn);
        }
        else
        {
            Add(fields, "SubscribeURL", message.SubscribeUrl ?? string.Empty);
            Add(fields, "Timestamp", message.Timestamp);
            Add(fields, "Token", message.Token ?? string.Empty);
            Add(fields, "TopicArn", message.TopicArn);
        }

        Add(fields, "Type", TypeName(message.Type));
        return count;
    }

    private static string TypeName(SnsMessageType type) => type switch
    {
        SnsMessageType.Notification => "Notification",
        SnsMessageType.SubscriptionConfirmation => "SubscriptionConfirmation",
        SnsMessageType.UnsubscribeConfirmation => "UnsubscribeConfirmation",
        _ => type.ToString(),
    };

    /// <summary>Base64, tolerating the line breaks of hand-made fixtures; false when it is not Base64 or too long.</summary>
    private static bool TryDecodeSignature(string signature, Span<byte> destination, out int written)
    {
        var compact = signature.Contains('\n', StringComparison.Ordinal) || signature.Contains('\r', StringComparison.Ordinal)
            ? signature.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal)
            : signature;
        return Convert.TryFromBase64String(compact, destination, out written);
    }

    [InlineArray(MaxSignedFields * 2)]
    private struct SignedFields
    {
        private string _element;
    }
}
