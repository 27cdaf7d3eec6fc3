using System.Text.Json;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Reads an SNS HTTP/S body strictly: a single JSON object whose signed fields are strings, with no duplicated key.
/// Duplicates are refused because a verifier and a processor could otherwise read different copies
/// (REFERENCE.md §2.1); keys are compared case-insensitively for the same reason, which also accepts the
/// <c>SigningCertUrl</c> spelling of AWS's Lambda-style records.
/// </summary>
public static class SnsMessageParser
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static SnsParseResult Parse(ReadOnlySpan<byte> utf8Body, SnsRequestHeaders headers, bool requireSignature)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (string.Equals(headers.RawDelivery?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return SnsParseResult.Malformed(SnsReasons.RawDelivery, "raw message delivery carries no signature; disable it on the subscription");
        }

        Fields fields;
        try
        {
            var read = ReadFields(utf8Body);
            if (read.Error is not null)
            {
                return read.Error;
            }

            fields = read.Fields!;
        }
        catch (JsonException)
        {
            return SnsParseResult.Malformed(SnsReasons.InvalidJson, "the body is not valid JSON");
        }

        return Build(fields, headers, requireSignature);
    }

    private static (Fields? Fields, SnsParseResult? Error) ReadFields(ReadOnlySpan<byte> utf8Body)
    {
        var reader = new Utf8JsonReader(utf8Body, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, SnsParseResult.Malformed(SnsReasons.InvalidJson, "the body is not a JSON object"));
        }

        var fields = new Fields();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                return (null, SnsParseResult.Malformed(SnsReasons.DuplicateKey, $"the key '{Printable(name)}' appears more than once"));
            }

            reader.Read();
            var field = SignedField(name);
            if (field is null)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    fields[field] = reader.GetString()!;
                    break;
                case JsonTokenType.Null:
                    // An absent optional field is sometimes written as null (e.g. Subject); required ones are caught later.
                    break;
                default:
                    return (null, SnsParseResult.Malformed(SnsReasons.InvalidField, $"'{field}' must be a string"));
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("unterminated object");
        }

        if (reader.Read())
        {
            return (null, SnsParseResult.Malformed(SnsReasons.InvalidJson, "the body has content after its JSON object"));
        }

        return (fields, null);
    }

    private static SnsParseResult Build(Fields fields, SnsRequestHeaders headers, bool requireSignature)
    {
        if (!fields.TryGetValue(Field.Type, out var typeText))
        {
            return SnsParseResult.Malformed(SnsReasons.MissingField, "'Type' is missing");
        }

        if (!Enum.TryParse<SnsMessageType>(typeText, ignoreCase: false, out var type) || !Enum.IsDefined(type) ||
            typeText.Any(static c => !char.IsAsciiLetter(c)))
        {
            return SnsParseResult.Malformed(SnsReasons.UnknownType, $"'{Printable(typeText)}' is not an SNS message type");
        }

        if (headers.MessageType is not null && !string.Equals(headers.MessageType, typeText, StringComparison.Ordinal))
        {
            return SnsParseResult.Malformed(SnsReasons.TypeMismatch, $"the {SnsRequestHeaders.MessageTypeHeader} header says '{Printable(headers.MessageType)}' but the body says '{typeText}'");
        }

        foreach (var required in RequiredFields(type, requireSignature))
        {
            if (!fields.TryGetValue(required, out var value) || value.Length == 0)
            {
                return SnsParseResult.Malformed(SnsReasons.MissingField, $"'{required}' is missing");
            }
        }

        if ((headers.MessageId is not null && !string.Equals(headers.MessageId, fields[Field.MessageId], StringComparison.Ordinal)) ||
            (headers.TopicArn is not null && !string.Equals(headers.TopicArn, fields[Field.TopicArn], StringComparison.Ordinal)))
        {
            return SnsParseResult.Malformed(SnsReasons.HeaderMismatch, "the x-amz-sns headers disagree with the body");
        }

        return SnsParseResult.Success(new SnsMessage(
            type,
            fields[Field.MessageId],
            fields[Field.TopicArn],
            fields[Field.Message],
            fields[Field.Timestamp],
            fields.GetValueOrDefault(Field.Subject),
            fields.GetValueOrDefault(Field.SignatureVersion),
            fields.GetValueOrDefault(Field.Signature),
            fields.GetValueOrDefault(Field.SigningCertUrl),
            fields.GetValueOrDefault(Field.Token),
            fields.GetValueOrDefault(Field.SubscribeUrl),
            fields.GetValueOrDefault(Field.UnsubscribeUrl)));
    }

    private static IEnumerable<string> RequiredFields(SnsMessageType type, bool requireSignature)
    {
        yield return Field.MessageId;
        yield return Field.TopicArn;
        yield return Field.Message;
        yield return Field.Timestamp;
        if (type != SnsMessageType.Notification)
        {
            yield return Field.Token;
            yield return Field.SubscribeUrl;
        }

        if (requireSignature)
        {
            yield return Field.SignatureVersion;
            yield return Field.Signature;
            yield return Field.SigningCertUrl;
        }
    }

    /// <summary>The canonical name of a field whose value must be a string, or null for any other key.</summary>
    private static string? SignedField(string name) => name.ToUpperInvariant() switch
    {
        "TYPE" => Field.Type,
        "MESSAGEID" => Field.MessageId,
        "TOPICARN" => Field.TopicArn,
        "MESSAGE" => Field.Message,
        "TIMESTAMP" => Field.Timestamp,
        "SUBJECT" => Field.Subject,
        "SIGNATUREVERSION" => Field.SignatureVersion,
        "SIGNATURE" => Field.Signature,
        "SIGNINGCERTURL" => Field.SigningCertUrl,
        "TOKEN" => Field.Token,
        "SUBSCRIBEURL" => Field.SubscribeUrl,
        "UNSUBSCRIBEURL" => Field.UnsubscribeUrl,
        _ => null,
    };

    /// <summary>Attacker-chosen text echoed in a detail: bounded and without control characters.</summary>
    private static string Printable(string value)
    {
        var cleaned = new string([.. value.Take(64).Select(static c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 64 ? cleaned + "…" : cleaned;
    }

    private static class Field
    {
        public const string Type = "Type";
        public const string MessageId = "MessageId";
        public const string TopicArn = "TopicArn";
        public const string Message = "Message";
        public const string Timestamp = "Timestamp";
        public const string Subject = "Subject";
        public const string SignatureVersion = "SignatureVersion";
        public const string Signature = "Signature";
        public const string SigningCertUrl = "SigningCertURL";
        public const string Token = "Token";
        public const string SubscribeUrl = "SubscribeURL";
        public const string UnsubscribeUrl = "UnsubscribeURL";
    }

    private sealed class Fields : Dictionary<string, string>
    {
        public Fields()
            : base(StringComparer.Ordinal)
        {
        }
    }
}
