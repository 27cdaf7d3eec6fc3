using System.Text;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sns;

public sealed class SnsMessageParserTests
{
    private static SnsParseResult Parse(string body, SnsRequestHeaders? headers = null, bool requireSignature = true) =>
        SnsMessageParser.Parse(Encoding.UTF8.GetBytes(body), headers ?? SnsRequestHeaders.None, requireSignature);

    [Theory]
    [MemberData(nameof(GenuineMessages.Names), MemberType = typeof(GenuineMessages))]
    public void GenuineMessage_ParsesWithRawValues(string name)
    {
        var genuine = GenuineMessages.Named(name);
        var result = SnsMessageParser.Parse(genuine.Bytes, SnsRequestHeaders.None, requireSignature: true);

        Assert.True(result.IsValid, result.Detail);
        var root = genuine.Json.RootElement;
        Assert.Equal(root.GetProperty("Message").GetString(), result.Message!.Message);
        Assert.Equal(root.GetProperty("Timestamp").GetString(), result.Message.Timestamp);
        Assert.Equal(genuine.Type, result.Message.Type.ToString());
        Assert.NotNull(result.Message.SigningCertUrl);
    }

    [Fact]
    public void DuplicatedMessageKey_IsRefused()
    {
        var result = Parse("""{"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"a","Message":"b","Timestamp":"2020-01-01T00:00:00.000Z","SignatureVersion":"1","Signature":"x","SigningCertURL":"u"}""");
        Assert.Equal(SnsReasons.DuplicateKey, result.Reason);
    }

    [Fact]
    public void SameKeyInAnotherCase_IsADuplicate()
    {
        var result = Parse("""{"Type":"Notification","type":"SubscriptionConfirmation"}""");
        Assert.Equal(SnsReasons.DuplicateKey, result.Reason);
    }

    [Fact]
    public void BothSpellingsOfSigningCertUrl_AreADuplicate()
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var body = Encoding.UTF8.GetString(genuine.Bytes).Replace("\"SigningCertURL\"", "\"SigningCertUrl\" : \"https://evil.example/x.pem\", \"SigningCertURL\"", StringComparison.Ordinal);
        Assert.Equal(SnsReasons.DuplicateKey, Parse(body).Reason);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"Notification\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"Type\":\"Notification\"} {}")]
    [InlineData("{\"Type\":\"Notification\",}")]
    [InlineData("{/*c*/\"Type\":\"Notification\"}")]
    [InlineData("not json at all")]
    public void NonObjectOrInvalidBody_IsInvalidJson(string body) =>
        Assert.Equal(SnsReasons.InvalidJson, Parse(body).Reason);

    [Theory]
    [InlineData("Type")]
    [InlineData("MessageId")]
    [InlineData("TopicArn")]
    [InlineData("Message")]
    [InlineData("Timestamp")]
    [InlineData("SignatureVersion")]
    [InlineData("Signature")]
    [InlineData("SigningCertURL")]
    public void MissingRequiredField_IsMissingField(string field)
    {
        var genuine = GenuineMessages.Named("notification-sigv2-us-east-2");
        var result = SnsMessageParser.Parse(genuine.Without(field), SnsRequestHeaders.None, requireSignature: true);
        Assert.Equal(SnsReasons.MissingField, result.Reason);
        Assert.Contains(field, result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("SubscribeURL")]
    public void ConfirmationWithoutTokenOrSubscribeUrl_IsMissingField(string field)
    {
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        Assert.Equal(SnsReasons.MissingField, SnsMessageParser.Parse(genuine.Without(field), SnsRequestHeaders.None, true).Reason);
    }

    [Fact]
    public void SignatureFields_AreOptionalOnlyWhenNotVerifying()
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var body = genuine.Without("Signature");
        Assert.Equal(SnsReasons.MissingField, SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Reason);
        Assert.True(SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: false).IsValid);
    }

    [Theory]
    [InlineData("{\"Type\":\"Notification\",\"MessageId\":1}")]
    [InlineData("{\"Type\":\"Notification\",\"Message\":{\"a\":1}}")]
    [InlineData("{\"Type\":[\"Notification\"]}")]
    [InlineData("{\"Type\":\"Notification\",\"Signature\":true}")]
    public void SignedFieldThatIsNotAString_IsRefused(string body) =>
        Assert.Equal(SnsReasons.InvalidField, Parse(body).Reason);

    [Fact]
    public void UnsignedObjectFields_AreAllowed()
    {
        var genuine = GenuineMessages.Named("notification-config-security-group-sigv1");
        Assert.True(SnsMessageParser.Parse(genuine.Bytes, SnsRequestHeaders.None, true).IsValid);
    }

    [Theory]
    [InlineData("notification")]
    [InlineData("Foo")]
    [InlineData("0")]
    [InlineData("Notification ")]
    public void UnknownType_IsRefused(string type)
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        Assert.Equal(SnsReasons.UnknownType, SnsMessageParser.Parse(genuine.With("Type", type), SnsRequestHeaders.None, true).Reason);
    }

    [Fact]
    public void HeaderTypeThatDisagreesWithBody_IsTypeMismatch()
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var headers = SnsRequestHeaders.None with { MessageType = "SubscriptionConfirmation" };
        Assert.Equal(SnsReasons.TypeMismatch, SnsMessageParser.Parse(genuine.Bytes, headers, true).Reason);
    }

    [Fact]
    public void HeaderTopicThatDisagreesWithBody_IsHeaderMismatch()
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var headers = SnsRequestHeaders.None with { MessageType = "Notification", TopicArn = "arn:aws:sns:us-east-2:111111111111:other" };
        Assert.Equal(SnsReasons.HeaderMismatch, SnsMessageParser.Parse(genuine.Bytes, headers, true).Reason);
    }

    [Fact]
    public void MatchingHeaders_AreAccepted()
    {
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var root = genuine.Json.RootElement;
        var headers = new SnsRequestHeaders("Notification", root.GetProperty("MessageId").GetString(), root.GetProperty("TopicArn").GetString(), null, genuine.Bytes.Length);
        Assert.True(SnsMessageParser.Parse(genuine.Bytes, headers, true).IsValid);
    }

    [Fact]
    public void RawDelivery_IsRefused()
    {
        var headers = SnsRequestHeaders.None with { RawDelivery = "true" };
        Assert.Equal(SnsReasons.RawDelivery, Parse("{\"configurationItem\":{}}", headers).Reason);
    }

    [Fact]
    public void NullSubject_IsTreatedAsAbsent()
    {
        var result = Parse("""{"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Subject":null,"Message":"m","Timestamp":"2020-01-01T00:00:00.000Z","SignatureVersion":"1","Signature":"x","SigningCertURL":"u"}""");
        Assert.True(result.IsValid);
        Assert.Null(result.Message!.Subject);
    }

    [Fact]
    public void HostileKeyInDetail_IsBoundedAndPrintable()
    {
        var key = "Type\\r\\n" + new string('A', 500);
        var result = Parse("{\"" + key + "\":\"x\",\"" + key + "\":\"y\"}");
        Assert.Equal(SnsReasons.DuplicateKey, result.Reason);
        Assert.DoesNotContain('\n', result.Detail!);
        Assert.True(result.Detail!.Length < 150);
    }

    [Fact]
    public void EscapedSpellingOfASignedKey_IsThatKey_AndADuplicateOfIt()
    {
        // "Mess\u0061ge" is "Message": a verifier and a processor must not read different copies.
        const string Fields = "\"MessageId\":\"1\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:t\",\"Timestamp\":\"2020-01-01T00:00:00.000Z\",\"SignatureVersion\":\"1\",\"Signature\":\"x\",\"SigningCertURL\":\"u\"";
        var alone = Parse("{\"Type\":\"Notification\",\"Mess\\u0061ge\":\"escaped\"," + Fields + "}");
        var twice = Parse("{\"Type\":\"Notification\",\"Message\":\"a\",\"MESS\\u0041GE\":\"b\"," + Fields + "}");

        Assert.True(alone.IsValid, alone.Detail);
        Assert.Equal("escaped", alone.Message!.Message);
        Assert.Equal(SnsReasons.DuplicateKey, twice.Reason);
    }

    [Fact]
    public void UnknownKeys_AreIgnored_ButNotTwice()
    {
        const string Fields = "\"Type\":\"Notification\",\"MessageId\":\"1\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:t\",\"Message\":\"m\",\"Timestamp\":\"2020-01-01T00:00:00.000Z\",\"SignatureVersion\":\"1\",\"Signature\":\"x\",\"SigningCertURL\":\"u\"";
        var once = Parse("{" + Fields + ",\"MessageAttributes\":{\"a\":{\"Type\":\"String\",\"Value\":\"b\"}},\"Ünknown\":1}");
        var twice = Parse("{" + Fields + ",\"MessageAttributes\":{},\"messageattributes\":{}}");

        Assert.True(once.IsValid, once.Detail);
        Assert.Equal("m", once.Message!.Message);
        Assert.Equal(SnsReasons.DuplicateKey, twice.Reason);
        Assert.Contains("messageattributes", twice.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Message")]
    [InlineData("Signature")]
    [InlineData("SigningCertURL")]
    public void RequiredFieldMissing_NamesIt(string field)
    {
        var body = """{"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"m","Timestamp":"2020-01-01T00:00:00.000Z","SignatureVersion":"1","Signature":"x","SigningCertURL":"u"}"""
            .Replace("\"" + field + "\":", "\"X" + field + "\":", StringComparison.Ordinal);

        var result = Parse(body);

        Assert.Equal(SnsReasons.MissingField, result.Reason);
        Assert.Equal($"'{field}' is missing", result.Detail);
    }

    private const string ValidFields = "\"Type\":\"Notification\",\"MessageId\":\"1\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:t\",\"Message\":\"m\",\"Timestamp\":\"2020-01-01T00:00:00.000Z\",\"SignatureVersion\":\"1\",\"Signature\":\"x\",\"SigningCertURL\":\"u\"";

    /// <summary>
    /// Issue 12's finding: a flipped bit that leaves invalid UTF-8 in a string of the body was a 500 (GetString threw).
    /// The bytes below are the minimal forms: a lead byte followed by ASCII, an overlong '/', a CESU-encoded surrogate,
    /// a stray continuation byte, in each place a string can be.
    /// </summary>
    [Theory]
    [InlineData("{\"Type\":\"Notif\u00C3(ication\"}")]           // a signed value: a lead byte, then ASCII
    [InlineData("{\"Mess\u00C0\u00AFage\":\"m\"}")]                // a key: an overlong '/'
    [InlineData("{\"Message\":\"\u00ED\u00A0\u0080\"}")]          // the Message string: a UTF-8-encoded surrogate
    [InlineData("{\"Unknown\":\"\u0080\"}")]                      // an unknown key's value, never read: a stray continuation byte
    [InlineData("{\"MessageAttributes\":{\"a\":[\"\u00FF\"]}}")]  // deep inside an unknown value
    public void InvalidUtf8AnywhereInTheBody_IsInvalidUtf8(string latin1Body)
    {
        var body = Encoding.Latin1.GetBytes(latin1Body);

        var result = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true);

        Assert.Equal(SnsReasons.InvalidUtf8, result.Reason);
    }

    [Theory]
    [InlineData("\\ud800")]          // a high surrogate alone
    [InlineData("\\udc00")]          // a low surrogate alone
    [InlineData("\\ud800\\u0041")]  // a high surrogate followed by another escape
    [InlineData("\\udc00\\ud800")]  // a pair in the wrong order
    [InlineData("a\\uD800")]         // upper-case hex
    public void EscapeDecodingToALoneSurrogate_IsInvalidUtf8(string escape)
    {
        var inMessage = Parse("{" + ValidFields.Replace("\"Message\":\"m\"", "\"Message\":\"" + escape + "\"", StringComparison.Ordinal) + "}");
        var inKey = Parse("{" + ValidFields + ",\"" + escape + "\":1}");

        Assert.Equal(SnsReasons.InvalidUtf8, inMessage.Reason);
        Assert.Equal(SnsReasons.InvalidUtf8, inKey.Reason);
    }

    [Theory]
    [InlineData("\\ud83d\\ude00", "\U0001F600")]  // a proper pair
    [InlineData("\\\\ud800", "\\ud800")]         // an escaped backslash, then plain text
    [InlineData("\\u0000", "\0")]                  // NUL is a character like any other
    public void EscapesThatDecodeToText_AreRead(string escape, string expected)
    {
        var result = Parse("{" + ValidFields.Replace("\"Message\":\"m\"", "\"Message\":\"" + escape + "\"", StringComparison.Ordinal) + "}");

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(expected, result.Message!.Message);
    }
}
