using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// A CloudTrail record's <c>userIdentity</c> and context as a <see cref="ChangeActor"/>, with the display string of
/// REFERENCE-cloudtrail §g. Takes the record itself: <c>CloudTrailEvent</c> from <c>LookupEvents</c> and an
/// EventBridge event's <c>detail</c> are the same shape. Pure; never throws on odd input: a field that is not valid
/// Unicode (an escaped lone surrogate, invalid UTF-8) reads as absent, as does a property whose name is not;
/// text that is not JSON gives null.
/// </summary>
public static partial class CloudTrailActorParser
{
    /// <summary>Parses a record given as JSON text; null when the text is not a JSON object.</summary>
    public static ChangeActor? Parse(string? cloudTrailEvent)
    {
        if (string.IsNullOrEmpty(cloudTrailEvent))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(cloudTrailEvent, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? Parse(document.RootElement) : null;
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            // Not JSON, or (ArgumentException) text holding a raw lone surrogate, which cannot become UTF-8.
            return null;
        }
    }

    public static ChangeActor Parse(JsonElement record)
    {
        var identity = Property(record, "userIdentity") is { ValueKind: JsonValueKind.Object } found ? found : default;
        var context = Property(identity, "sessionContext");
        var attributes = Property(context, "attributes");
        var arn = String(identity, "arn");
        return new ChangeActor(
            Display(identity),
            String(identity, "type"),
            arn,
            String(identity, "accountId"),
            SessionName(identity),
            String(context, "sourceIdentity"),
            String(identity, "invokedBy"),
            String(record, "sourceIPAddress"),
            String(record, "userAgent"),
            string.Equals(String(record, "sessionCredentialFromConsole"), "true", StringComparison.OrdinalIgnoreCase),
            String(attributes, "mfaAuthenticated") switch
            {
                { } mfa when mfa.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
                { } mfa when mfa.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
                _ => null,
            },
            String(record, "eventName"),
            DateTimeOffset.TryParse(String(record, "eventTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null,
            String(record, "eventID"),
            String(record, "awsRegion"));
    }

    /// <summary>The canonical actor string of one <c>userIdentity</c> (REFERENCE-cloudtrail §g).</summary>
    public static string Display(JsonElement identity)
    {
        var type = String(identity, "type");
        var issuer = Property(Property(identity, "sessionContext"), "sessionIssuer");
        var invokedBy = String(identity, "invokedBy");
        var viaService = invokedBy is null ? "" : " via " + invokedBy;
        var accountId = String(identity, "accountId");
        switch (type)
        {
            case "IAMUser" when (String(identity, "userName") ?? LastSegment(String(identity, "arn"))) is { } user:
                return $"{user} (IAM user){viaService}";
            case "Root" when accountId is not null || String(identity, "principalId") is not null:
                var account = accountId ?? String(identity, "principalId");
                return String(identity, "userName") is { } alias && alias != "HIDDEN_DUE_TO_SECURITY_REASONS"
                    ? $"root ({alias}, account {account}){viaService}"
                    : $"root (account {account}){viaService}";
            case "AssumedRole" when SessionName(identity) is { } session:
                var role = String(issuer, "userName") ?? RoleFromAssumedRoleArn(String(identity, "arn"));
                var issuerArn = String(issuer, "arn") ?? "";
                if (role is not null && issuerArn.Contains("/aws-reserved/sso.amazonaws.com/", StringComparison.Ordinal) &&
                    SsoRole().Match(role) is { Success: true } sso)
                {
                    return $"{session} (SSO {sso.Groups["set"].Value}){viaService}";
                }

                return role is null ? $"{session} (assumed role){viaService}" : $"{session} (role {role}){viaService}";
            case "FederatedUser" when SessionName(identity) is { } federated:
                return String(issuer, "userName") is { } by ? $"{federated} (federated via {by})" : $"{federated} (federated)";
            case "AWSService" when invokedBy is not null:
                return $"{invokedBy} (AWS service)";
            case "AWSAccount" when accountId is not null:
                return $"account {accountId}";
            case "IdentityCenterUser" when String(Property(identity, "onBehalfOf"), "userId") is { } userId:
                return $"Identity Center user {userId}";
            case "SAMLUser" or "WebIdentityUser" when String(identity, "userName") is { } name:
                return String(identity, "identityProvider") is { } provider ? $"{name} ({provider})" : name;
        }

        return (String(identity, "principalId") ?? String(identity, "arn")) is { } principal ? $"unknown ({principal})" : "unknown";
    }

    /// <summary>The session of an assumed role (last ARN segment) or the name of a federated user.</summary>
    private static string? SessionName(JsonElement identity) => String(identity, "type") switch
    {
        "AssumedRole" => LastSegmentAfter(String(identity, "arn"), ":assumed-role/", minimumSegments: 2) ?? AfterColon(String(identity, "principalId")),
        "FederatedUser" => LastSegmentAfter(String(identity, "arn"), ":federated-user/", minimumSegments: 1) ?? AfterColon(String(identity, "principalId")),
        _ => null,
    };

    private static string? RoleFromAssumedRoleArn(string? arn)
    {
        var index = arn?.IndexOf(":assumed-role/", StringComparison.Ordinal) ?? -1;
        if (index < 0)
        {
            return null;
        }

        var parts = arn![(index + ":assumed-role/".Length)..].Split('/');
        return parts.Length >= 2 && parts[0].Length > 0 ? parts[0] : null;
    }

    private static string? LastSegmentAfter(string? arn, string marker, int minimumSegments)
    {
        var index = arn?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (index < 0)
        {
            return null;
        }

        var parts = arn![(index + marker.Length)..].Split('/');
        return parts.Length >= minimumSegments && parts[^1].Length > 0 ? parts[^1] : null;
    }

    private static string? LastSegment(string? arn) =>
        arn is null || arn.LastIndexOf('/') is var slash && (slash < 0 || slash == arn.Length - 1) ? null : arn[(slash + 1)..];

    private static string? AfterColon(string? principalId) =>
        principalId?.IndexOf(':', StringComparison.Ordinal) is { } colon and >= 0 && colon < principalId.Length - 1 ? principalId[(colon + 1)..] : null;

    private static JsonElement Property(JsonElement element, string name) =>
        ConfigJson.TryGetExact(element, name, out var value) ? value : default;

    private static string? String(JsonElement element, string name) => Property(element, name) switch
    {
        // A string that is not valid Unicode (an escaped lone surrogate, invalid UTF-8) reads as absent.
        { ValueKind: JsonValueKind.String } value when CloudTrailJson.TryReadString(value, out var text) && text.Length > 0 => text,
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    [GeneratedRegex("^AWSReservedSSO_(?<set>.+)_[0-9a-f]{16}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SsoRole();
}
