using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace SgNotifier.Core.Sns;

/// <summary>The pure half of SNS verification: the string to sign and the RSA check.</summary>
public static class SnsSignature
{
    /// <summary>
    /// Builds the string AWS signs: <c>key\nvalue\n</c> for each applicable key in a fixed order, from the raw values.
    /// Subject is signed only when present. Confirmations sign Token too (AWS's JS validator wrongly omits it
    /// for UnsubscribeConfirmation).
    /// </summary>
    public static string StringToSign(SnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var builder = new StringBuilder(message.Message.Length + 512);
        Append(builder, "Message", message.Message);
        Append(builder, "MessageId", message.MessageId);
        if (message.Type == SnsMessageType.Notification)
        {
            if (message.Subject is not null)
            {
                Append(builder, "Subject", message.Subject);
            }

            Append(builder, "Timestamp", message.Timestamp);
            Append(builder, "TopicArn", message.TopicArn);
        }
        else
        {
            Append(builder, "SubscribeURL", message.SubscribeUrl ?? string.Empty);
            Append(builder, "Timestamp", message.Timestamp);
            Append(builder, "Token", message.Token ?? string.Empty);
            Append(builder, "TopicArn", message.TopicArn);
        }

        Append(builder, "Type", message.Type.ToString());
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

        var signature = DecodeSignature(message.Signature);
        if (signature is null)
        {
            return false;
        }

        var text = StringToSign(message);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            return publicKey.VerifyData(rented.AsSpan(0, length), signature, hash, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Append(StringBuilder builder, string key, string value) =>
        builder.Append(key).Append('\n').Append(value).Append('\n');

    /// <summary>Base64, tolerating the line breaks of hand-made fixtures; null when it is not Base64.</summary>
    private static byte[]? DecodeSignature(string signature)
    {
        var compact = signature.Contains('\n', StringComparison.Ordinal) || signature.Contains('\r', StringComparison.Ordinal)
            ? signature.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal)
            : signature;
        var buffer = new byte[(compact.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(compact, buffer, out var written) ? buffer[..written] : null;
    }
}
