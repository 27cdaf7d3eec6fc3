using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace SgNotifier.Core.Sns;

/// <summary>The parts of <c>arn:&lt;partition&gt;:sns:&lt;region&gt;:&lt;account&gt;:&lt;name&gt;</c> that verification relies on.</summary>
public sealed partial record TopicArn(string Partition, string Region, string AccountId, string Name)
{
    /// <summary>The SNS host of the topic's region; signing certificates and confirmations must come from it.</summary>
    public string SnsHost => Partition == "aws-cn"
        ? $"sns.{Region}.amazonaws.com.cn"
        : $"sns.{Region}.amazonaws.com";

    public static bool TryParse(string? value, [NotNullWhen(true)] out TopicArn? arn)
    {
        arn = null;
        if (value is null)
        {
            return false;
        }

        var match = ArnPattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        var partition = match.Groups["partition"].Value;
        var region = match.Groups["region"].Value;
        if (partition == "aws-cn" != region.StartsWith("cn-", StringComparison.Ordinal))
        {
            return false;
        }

        arn = new TopicArn(partition, region, match.Groups["account"].Value, match.Groups["name"].Value);
        return true;
    }

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov):sns:(?<region>[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}):(?<account>[0-9]{12}):(?<name>[A-Za-z0-9_-]{1,256}(?:\.fifo)?)\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ArnPattern();
}
