using SgNotifier.Core.Sns;

namespace SgNotifier.Tests.Sns;

public sealed class SigningCertUrlTests
{
    private static readonly TopicArn UsEast1 = Parse("arn:aws:sns:us-east-1:123456789012:config-topic");

    private static TopicArn Parse(string arn) => TopicArn.TryParse(arn, out var topic) ? topic : throw new ArgumentException(arn);

    [Theory]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-01D088A6F77103D0FE307C0069E40ED6.pem")]
    public void GenuineShape_IsTrusted(string url) => Assert.True(SigningCertUrl.IsTrusted(url, UsEast1));

    [Theory]
    [InlineData("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://evil.com/?sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://user:pass@sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://s3.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://my-bucket.s3.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns-us-east-1.s3.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-west-2.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem?x")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem?x=1")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem#frag")]
    [InlineData("https://sns.us-east-1.amazonaws.com/../SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/x/../SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/%2e%2e/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/evil/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem/")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-zz.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.crt")]
    [InlineData("https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com./SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData(" https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem\n")]
    [InlineData("https:/sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("//sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com\\@evil.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("https://sns.xx-evil-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")]
    [InlineData("")]
    [InlineData(null)]
    public void Trick_IsNotTrusted(string? url) => Assert.False(SigningCertUrl.IsTrusted(url, UsEast1));

    [Fact]
    public void ChinaRegion_RequiresTheCnDomain()
    {
        var china = Parse("arn:aws-cn:sns:cn-north-1:123456789012:topic");
        Assert.True(SigningCertUrl.IsTrusted("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc123.pem", china));
        Assert.False(SigningCertUrl.IsTrusted("https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-abc123.pem", china));
    }

    [Fact]
    public void GovCloudRegion_UsesItsOwnHost()
    {
        var gov = Parse("arn:aws-us-gov:sns:us-gov-west-1:123456789012:topic");
        Assert.True(SigningCertUrl.IsTrusted("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc123.pem", gov));
        Assert.False(SigningCertUrl.IsTrusted("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem", gov));
    }
}
