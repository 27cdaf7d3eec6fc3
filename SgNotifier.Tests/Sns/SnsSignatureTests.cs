using System.Security.Cryptography.X509Certificates;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sns;

public sealed class SnsSignatureTests
{
    private static readonly string[] SignedFields =
        ["Message", "MessageId", "Subject", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

    private static (SnsMessage Message, SigningCertificate Certificate) Load(byte[] body)
    {
        var message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message!;
        var file = RepositoryPaths.TestData("Sns", "certs", SigningCertUrl.FileName(message.SigningCertUrl!));
        return (message, SigningCertificate.TryParse(File.ReadAllBytes(file))!);
    }

    [Theory]
    [MemberData(nameof(GenuineMessages.Names), MemberType = typeof(GenuineMessages))]
    public void GenuineMessage_Verifies(string name)
    {
        var (message, certificate) = Load(GenuineMessages.Named(name).Bytes);
        using (certificate)
        {
            Assert.True(SnsSignature.Verify(message, certificate.PublicKey));
        }
    }

    public static TheoryData<string, string> GenuineMessageAndSignedField()
    {
        var data = new TheoryData<string, string>();
        foreach (var message in GenuineMessages.All())
        {
            foreach (var field in SignedFields)
            {
                var applies = message.Type == "Notification"
                    ? field is not ("SubscribeURL" or "Token")
                    : field != "Subject";
                if (applies)
                {
                    data.Add(message.Name, field);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GenuineMessageAndSignedField))]
    public void TamperedSignedField_Fails(string name, string field)
    {
        var genuine = GenuineMessages.Named(name);
        var original = genuine.Json.RootElement.TryGetProperty(field, out var value) ? value.GetString() : null;
        var tampered = field == "Type"
            ? (original == "Notification" ? "SubscriptionConfirmation" : "Notification")
            : (original ?? string.Empty) + "x";
        var parsed = SnsMessageParser.Parse(genuine.With(field, tampered), SnsRequestHeaders.None, requireSignature: true);
        if (parsed.Message is null)
        {
            // A Notification turned into a confirmation lacks Token and SubscribeURL: refused before any signature check.
            Assert.Equal(SnsReasons.MissingField, parsed.Reason);
            return;
        }

        var (message, certificate) = Load(genuine.With(field, tampered));
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message, certificate.PublicKey));
        }
    }

    [Fact]
    public void ConfirmationTurnedIntoAnUnsubscribeConfirmation_Fails()
    {
        var (message, certificate) = Load(GenuineMessages.Named("subscription-confirmation-sigv1").With("Type", "UnsubscribeConfirmation"));
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message, certificate.PublicKey));
        }
    }

    [Fact]
    public void SubjectAddedToANotificationWithoutOne_Fails()
    {
        var (message, certificate) = Load(GenuineMessages.Named("notification-sigv1-us-east-2").With("Subject", "hello"));
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message, certificate.PublicKey));
        }
    }

    [Fact]
    public void SignatureWithLineBreaks_StillVerifies()
    {
        var (message, certificate) = Load(GenuineMessages.Named("notification-sigv2-us-east-2").Bytes);
        var wrapped = string.Join("\r\n", message.Signature!.Chunk(64).Select(static c => new string(c)));
        using (certificate)
        {
            Assert.True(SnsSignature.Verify(message with { Signature = wrapped }, certificate.PublicKey));
        }
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("AAAA")]
    public void GarbageSignature_Fails(string signature)
    {
        var (message, certificate) = Load(GenuineMessages.Named("notification-sigv1-us-east-2").Bytes);
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message with { Signature = signature }, certificate.PublicKey));
        }
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("1 ")]
    [InlineData(null)]
    public void UnsupportedSignatureVersion_HasNoHashAndFails(string? version)
    {
        Assert.Null(SnsSignature.HashFor(version));
        var (message, certificate) = Load(GenuineMessages.Named("notification-sigv1-us-east-2").Bytes);
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message with { SignatureVersion = version }, certificate.PublicKey));
        }
    }

    [Fact]
    public void SigV1MessageClaimingVersion2_Fails()
    {
        var (message, certificate) = Load(GenuineMessages.Named("notification-sigv1-us-east-2").Bytes);
        using (certificate)
        {
            Assert.False(SnsSignature.Verify(message with { SignatureVersion = "2" }, certificate.PublicKey));
        }
    }

    [Fact]
    public void OtherCertificate_Fails()
    {
        var (message, _) = Load(GenuineMessages.Named("notification-with-subject-sigv1").Bytes);
        using var other = SigningCertificate.TryParse(File.ReadAllBytes(RepositoryPaths.TestData("Sns", "certs", "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem")))!;
        Assert.False(SnsSignature.Verify(message, other.PublicKey));
    }

    [Fact]
    public void StringToSign_FollowsTheDocumentedOrder()
    {
        var message = new SnsMessage(SnsMessageType.SubscriptionConfirmation, "id", "arn", "msg", "ts", "ignored", "1", "sig", "url", "tok", "sub", null);
        Assert.Equal("Message\nmsg\nMessageId\nid\nSubscribeURL\nsub\nTimestamp\nts\nToken\ntok\nTopicArn\narn\nType\nSubscriptionConfirmation\n", SnsSignature.StringToSign(message));
        var unsubscribe = message with { Type = SnsMessageType.UnsubscribeConfirmation };
        Assert.Contains("Token\ntok\n", SnsSignature.StringToSign(unsubscribe), StringComparison.Ordinal);
        var notification = message with { Type = SnsMessageType.Notification };
        Assert.Equal("Message\nmsg\nMessageId\nid\nSubject\nignored\nTimestamp\nts\nTopicArn\narn\nType\nNotification\n", SnsSignature.StringToSign(notification));
    }

    [Fact]
    public void CertificateFiles_AreRsaCertificates()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.TestData("Sns", "certs")))
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(file);
            Assert.NotNull(certificate.GetRSAPublicKey());
        }
    }
}
