using System.Text.RegularExpressions;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Pins <c>SigningCertURL</c> to the SNS host of the topic's own region. AWS's validators only match the host
/// against <c>^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$</c>; certificates hosted on lookalike hosts or S3
/// are the known forgery (DEF CON 30, "Exploiting Improper Validation of Amazon SNS SigningCertUrl").
/// The whole string must match exactly, so user-info, ports, queries, fragments, percent-escapes and
/// dot-segments are refused before any parsing could normalise them away.
/// </summary>
public static partial class SigningCertUrl
{
    public static bool IsTrusted(string? url, TopicArn topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (url is null)
        {
            return false;
        }

        var match = CertUrlPattern().Match(url);
        return match.Success && string.Equals(match.Groups["host"].Value, topic.SnsHost, StringComparison.Ordinal);
    }

    /// <summary>The certificate's file name (the URL's last path segment) of a trusted URL.</summary>
    public static string FileName(string trustedUrl)
    {
        ArgumentNullException.ThrowIfNull(trustedUrl);
        return trustedUrl[(trustedUrl.LastIndexOf('/') + 1)..];
    }

    [GeneratedRegex(@"^https://(?<host>sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?)/SimpleNotificationService-[0-9a-fA-F]{1,64}\.pem\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CertUrlPattern();
}
