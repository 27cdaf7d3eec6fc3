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

        // Checked before reading: a string that is not valid text would otherwise fail only when it is read.
        if (Utf8JsonText.Problem(utf8Body) is { } problem)
        {
            return SnsParseResult.Malformed(SnsReasons.InvalidUtf8, "the body " + problem);
        }

        Fields fields;
        try
        {
            // The reader throws for bad grammar (it has no Try form); that is the only exception caught here.
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
        var seenSigned = 0;
        HashSet<string>? seenOthers = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The usual names (plain ASCII) are matched from the raw bytes, without a string per key.
            var name = !reader.ValueIsEscaped && System.Text.Ascii.IsValid(reader.ValueSpan) ? null : reader.GetString()!;
            var field = name is null ? SignedField(reader.ValueSpan) : SignedField(name);
            bool duplicate;
            if (field >= 0)
            {
                duplicate = (seenSigned & (1 << field)) != 0;
                seenSigned |= 1 << field;
            }
            else
            {
                name ??= reader.GetString()!;
                duplicate = !(seenOthers ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(name);
            }

            if (duplicate)
            {
                return (null, SnsParseResult.Malformed(SnsReasons.DuplicateKey, $"the key '{Printable(name ?? reader.GetString()!)}' appears more than once"));
            }

            reader.Read();
            if (field < 0)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    fields.Values[field] = reader.GetString()!;
                    break;
                case JsonTokenType.Null:
                    // An absent optional field is sometimes written as null (e.g. Subject); required ones are caught later.
                    break;
                default:
                    return (null, SnsParseResult.Malformed(SnsReasons.InvalidField, $"'{Field.Names[field]}' must be a string"));
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return (null, SnsParseResult.Malformed(SnsReasons.InvalidJson, "the body is not valid JSON"));
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
            !IsAsciiLetters(typeText))
        {
            return SnsParseResult.Malformed(SnsReasons.UnknownType, $"'{Printable(typeText)}' is not an SNS message type");
        }

        if (headers.MessageType is not null && !string.Equals(headers.MessageType, typeText, StringComparison.Ordinal))
        {
            return SnsParseResult.Malformed(SnsReasons.TypeMismatch, $"the {SnsRequestHeaders.MessageTypeHeader} header says '{Printable(headers.MessageType)}' but the body says '{typeText}'");
        }

        var missing = Missing(fields, Field.AlwaysRequired)
            ?? (type != SnsMessageType.Notification ? Missing(fields, Field.ConfirmationRequired) : null)
            ?? (requireSignature ? Missing(fields, Field.SignatureRequired) : null);
        if (missing is not null)
        {
            return SnsParseResult.Malformed(SnsReasons.MissingField, $"'{missing}' is missing");
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

    private static bool IsAsciiLetters(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first of <paramref name="required"/> that is absent or empty, or null.</summary>
    private static string? Missing(Fields fields, int[] required)
    {
        foreach (var field in required)
        {
            if (fields.Values[field] is not { Length: > 0 })
            {
                return Field.Names[field];
            }
        }

        return null;
    }

    /// <summary>The index of a field whose value must be a string, or -1 for any other key; names compare ignoring case.</summary>
    private static int SignedField(ReadOnlySpan<byte> asciiName)
    {
        for (var i = 0; i < Field.Names.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(asciiName, Field.Names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>As above for a decoded name (escaped or not ASCII), upper-cased the invariant way.</summary>
    private static int SignedField(string name)
    {
        var upper = name.ToUpperInvariant();
        for (var i = 0; i < Field.Names.Length; i++)
        {
            // The canonical names are ASCII: comparing ignoring case is comparing their upper-case forms.
            if (string.Equals(upper, Field.Names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Attacker-chosen text echoed in a detail: bounded and without control characters.</summary>
    private static string Printable(string value)
    {
        var cleaned = new string([.. value.Take(64).Select(static c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 64 ? cleaned + "…" : cleaned;
    }

    private static class Field
    {
        public const int Type = 0;
        public const int MessageId = 1;
        public const int TopicArn = 2;
        public const int Message = 3;
        public const int Timestamp = 4;
        public const int Subject = 5;
        public const int SignatureVersion = 6;
        public const int Signature = 7;
        public const int SigningCertUrl = 8;
        public const int Token = 9;
        public const int SubscribeUrl = 10;
        public const int UnsubscribeUrl = 11;

        /// <summary>The canonical spelling of each field, by index.</summary>
        public static readonly string[] Names =
        [
            "Type", "MessageId", "TopicArn", "Message", "Timestamp", "Subject", "SignatureVersion", "Signature",
            "SigningCertURL", "Token", "SubscribeURL", "UnsubscribeURL",
        ];

        public static readonly int[] AlwaysRequired = [MessageId, TopicArn, Message, Timestamp];
        public static readonly int[] ConfirmationRequired = [Token, SubscribeUrl];
        public static readonly int[] SignatureRequired = [SignatureVersion, Signature, SigningCertUrl];
    }

    /// <summary>The signed fields' values by <see cref="Field"/> index; null when absent.</summary>
    private sealed class Fields
    {
        public string?[] Values { get; } = new string?[Field.Names.Length];

        public string this[int field] => Values[field]!;

        public string? GetValueOrDefault(int field) => Values[field];

        public bool TryGetValue(int field, out string value)
        {
            value = Values[field]!;
            return value is not null;
        }
    }
}
