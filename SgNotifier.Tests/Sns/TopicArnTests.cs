using SgNotifier.Core.Sns;

namespace SgNotifier.Tests.Sns;

public sealed class TopicArnTests
{
    [Theory]
    [InlineData("arn:aws:sns:us-east-1:123456789012:config-topic", "us-east-1", "sns.us-east-1.amazonaws.com")]
    [InlineData("arn:aws:sns:ap-southeast-2:123456789012:a_b-c", "ap-southeast-2", "sns.ap-southeast-2.amazonaws.com")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:changes.fifo", "us-east-1", "sns.us-east-1.amazonaws.com")]
    [InlineData("arn:aws-cn:sns:cn-northwest-1:123456789012:t", "cn-northwest-1", "sns.cn-northwest-1.amazonaws.com.cn")]
    public void ValidArn_Parses(string arn, string region, string host)
    {
        Assert.True(TopicArn.TryParse(arn, out var topic));
        Assert.Equal(region, topic.Region);
        Assert.Equal(host, topic.SnsHost);
    }

    [Theory]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:queue")]
    [InlineData("arn:aws:sns:us-east-1:12345:topic")]
    [InlineData("arn:aws:sns:evil.com:123456789012:topic")]
    [InlineData("arn:aws:sns:us-east-1.evil.com/x:123456789012:topic")]
    [InlineData("arn:aws-cn:sns:us-east-1:123456789012:topic")]
    [InlineData("arn:aws:sns:cn-north-1:123456789012:topic")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:a/b")]
    [InlineData("")]
    [InlineData(null)]
    public void InvalidArn_DoesNotParse(string? arn) => Assert.False(TopicArn.TryParse(arn, out _));
}
