using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace SgNotifier.Core.Aws;

/// <summary>The checks of section <c>Aws</c> that name their key: region, actor timing, role template and web identity.</summary>
internal static partial class AwsOptionsValidation
{
    /// <summary>SNS retries an HTTP/S delivery for at most 3,600 s, and the deploy template's policy for about 3,000 s.</summary>
    public static readonly TimeSpan MaxActorWait = TimeSpan.FromMinutes(45);

    /// <summary>SNS waits about 15 s for an answer; the mail still has to be rendered and sent after the lookup.</summary>
    public static readonly TimeSpan MaxActorLookupTimeout = TimeSpan.FromSeconds(10);

    public const string AccountIdPlaceholder = "{accountId}";

    public static IEnumerable<ValidationResult> Problems(AwsOptions o)
    {
        if (!string.IsNullOrEmpty(o.Region) && !AwsRegion.IsValid(o.Region))
        {
            yield return Problem("Aws:Region must be a region name such as eu-west-1", nameof(o.Region));
        }

        if (o.ActorWait < TimeSpan.Zero || o.ActorWait > MaxActorWait)
        {
            yield return Problem("Aws:ActorWait must be between 00:00:00 and 00:45:00 (SNS stops retrying an HTTPS delivery after about an hour)", nameof(o.ActorWait));
        }

        if (o.ActorWindowBefore < TimeSpan.Zero || o.ActorWindowBefore > TimeSpan.FromHours(2))
        {
            yield return Problem("Aws:ActorWindowBefore must be between 00:00:00 and 02:00:00", nameof(o.ActorWindowBefore));
        }

        if (o.ActorWindowAfter < TimeSpan.Zero || o.ActorWindowAfter > TimeSpan.FromMinutes(30))
        {
            yield return Problem("Aws:ActorWindowAfter must be between 00:00:00 and 00:30:00", nameof(o.ActorWindowAfter));
        }

        if (o.ActorLookupTimeout < TimeSpan.FromMilliseconds(500) || o.ActorLookupTimeout > MaxActorLookupTimeout)
        {
            yield return Problem("Aws:ActorLookupTimeout must be between 00:00:00.5 and 00:00:10 (SNS waits about 15 s for the whole delivery)", nameof(o.ActorLookupTimeout));
        }

        if (!string.IsNullOrEmpty(o.RoleArnTemplate) && !IsRoleArnTemplate(o.RoleArnTemplate))
        {
            yield return Problem("Aws:RoleArnTemplate must be an IAM role ARN with {accountId} as its account, e.g. arn:aws:iam::{accountId}:role/SgNotifierReader", nameof(o.RoleArnTemplate));
        }

        if (!string.IsNullOrEmpty(o.RoleArnTemplate) && string.IsNullOrEmpty(o.ExternalId))
        {
            yield return Problem("Aws:ExternalId is required with Aws:RoleArnTemplate: the member roles' trust policies must require it (confused deputy)", nameof(o.ExternalId));
        }

        if (!string.IsNullOrEmpty(o.ExternalId) && !ExternalIdPattern().IsMatch(o.ExternalId))
        {
            yield return Problem("Aws:ExternalId must be 2 to 1224 characters of letters, digits and _+=,.@:/-", nameof(o.ExternalId));
        }

        var web = o.WebIdentity ?? new AwsOptions.WebIdentitySettings();
        if (!string.IsNullOrEmpty(web.RoleArn) && !RoleArnPattern().IsMatch(web.RoleArn))
        {
            yield return Problem("Aws:WebIdentity:RoleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/SgNotifierHub", nameof(o.WebIdentity));
        }

        if (!string.IsNullOrEmpty(web.RoleArn) && string.IsNullOrWhiteSpace(web.Audience))
        {
            yield return Problem("Aws:WebIdentity:Audience is required with Aws:WebIdentity:RoleArn (the token audience the hub role trusts)", nameof(o.WebIdentity));
        }

        if (string.IsNullOrEmpty(web.RoleArn) && (!string.IsNullOrEmpty(web.Audience) || !string.IsNullOrEmpty(web.ClientId)))
        {
            yield return Problem("Aws:WebIdentity:Audience and Aws:WebIdentity:ClientId need Aws:WebIdentity:RoleArn", nameof(o.WebIdentity));
        }

        if (!string.IsNullOrEmpty(web.ClientId) && !Guid.TryParseExact(web.ClientId, "D", out _))
        {
            yield return Problem("Aws:WebIdentity:ClientId must be a managed identity's client id (a GUID)", nameof(o.WebIdentity));
        }
    }

    /// <summary>The role ARN for one account: only ever the configured template and a validated 12-digit id.</summary>
    public static string? RoleArnFor(string? template, string accountId) =>
        string.IsNullOrEmpty(template) || !AwsRegion.IsAccountId(accountId)
            ? null
            : template.Replace(AccountIdPlaceholder, accountId, StringComparison.Ordinal);

    private static bool IsRoleArnTemplate(string template) =>
        template.IndexOf(AccountIdPlaceholder, StringComparison.Ordinal) is var first and >= 0 &&
        template.IndexOf(AccountIdPlaceholder, first + 1, StringComparison.Ordinal) < 0 &&
        RoleArnPattern().IsMatch(template.Replace(AccountIdPlaceholder, "000000000000", StringComparison.Ordinal));

    private static ValidationResult Problem(string message, string member) => new(message, [member]);

    [GeneratedRegex(@"^arn:(?:aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}
