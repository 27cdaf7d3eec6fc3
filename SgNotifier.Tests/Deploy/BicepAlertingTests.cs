using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// Issue 15 §3/§5/§6 in <c>deploy/azure/main.bicep</c>: the action group, the log alerts on what loses or refuses mail
/// and on 25 hours of silence, the availability test of <c>/api/health</c>, and the least-privilege and settings changes.
/// </summary>
public class BicepAlertingTests
{
    private readonly CompiledBicepTemplate template = CompiledBicepTemplate.Get();

    [Fact]
    public void ActionGroup_MailsEveryAlertAddress()
    {
        var group = template.SingleResourceOfType("Microsoft.Insights/actionGroups");
        var receivers = group["properties"]?["copy"]?.AsArray().Single(c => (string?)c?["name"] == "emailReceivers");

        Assert.Equal("global", (string?)group["location"]);
        Assert.Equal("[length(parameters('alertEmailAddresses'))]", (string?)receivers?["count"]);
        Assert.Equal("[parameters('alertEmailAddresses')[copyIndex('emailReceivers')]]", (string?)receivers?["input"]?["emailAddress"]);
        Assert.True((bool?)group["properties"]?["enabled"]);
    }

    [Fact]
    public void LogAlerts_CoverEveryWayMailIsLostOrStops()
    {
        var names = Alerts().Select(static a => (string?)a["name"]).Order(StringComparer.Ordinal);

        Assert.Equal(
            ["ledger-purge-failed", "mail-lost-or-refused", "no-sns-request-25h", "sns-4xx", "sns-5xx", "unsubscribed"],
            names);
    }

    [Fact]
    public void LogAlertRules_RunOnApplicationInsightsAndNotifyTheActionGroup()
    {
        var rules = template.SingleResourceOfType("Microsoft.Insights/scheduledQueryRules");

        Assert.Equal("[length(variables('logAlerts'))]", (string?)rules["copy"]?["count"]);
        Assert.Equal("LogAlert", (string?)rules["kind"]);
        Assert.StartsWith("[resourceId('Microsoft.Insights/components', ", (string?)rules["properties"]?["scopes"]?[0], StringComparison.Ordinal);
        Assert.StartsWith("[resourceId('Microsoft.Insights/actionGroups', ", (string?)rules["properties"]?["actions"]?["actionGroups"]?[0], StringComparison.Ordinal);
        Assert.Equal("[variables('logAlerts')[copyIndex()].query]", (string?)rules["properties"]?["criteria"]?["allOf"]?[0]?["query"]);
        Assert.Equal("[if(empty(variables('logAlerts')[copyIndex()].override), null(), variables('logAlerts')[copyIndex()].override)]", (string?)rules["properties"]?["overrideQueryTimeRange"]);
    }

    [Fact]
    public void LostMailAlert_WatchesTheEventIdsThatMeanLostOrRefusedMailAndTooLarge()
    {
        var ids = template.Variable("lostMailEventIds").AsArray().Select(static i => (string?)i).Order(StringComparer.Ordinal);
        var query = Query("mail-lost-or-refused");

        // 2007 not notified, 3102 refused for good, 3103 mailed but not recorded, 1021 confirm refused, 1023 unsubscribed.
        Assert.Equal(["1021", "1023", "2007", "3102", "3103"], ids);
        Assert.Contains("variables('lostMailEventIds')", query, StringComparison.Ordinal);
        Assert.Contains("customDimensions.EventId", query, StringComparison.Ordinal);
        Assert.Contains("reason == ''too-large''", query, StringComparison.Ordinal);
        Assert.Equal("GreaterThan", (string?)Alert("mail-lost-or-refused")["operator"]);
        Assert.Equal(0, (int?)Alert("mail-lost-or-refused")["threshold"]);
    }

    [Fact]
    public void UnsubscribeAlert_IsTheMostSevere()
    {
        var alert = Alert("unsubscribed");

        Assert.Equal(0, (int?)alert["severity"]);
        Assert.Contains("'1023'", Query("unsubscribed"), StringComparison.Ordinal);
        Assert.Contains("UnsubscribeConfirmation", Query("unsubscribed"), StringComparison.Ordinal);
    }

    [Fact]
    public void SilenceAlert_FiresWhenNoSnsRequestSucceededFor25Hours()
    {
        var alert = Alert("no-sns-request-25h");
        var query = Query("no-sns-request-25h");

        Assert.Equal("LessThan", (string?)alert["operator"]);
        Assert.Equal(1, (int?)alert["threshold"]);
        // The query looks back 25 h; the rule's own time range must reach that far.
        Assert.Contains("ago(25h)", query, StringComparison.Ordinal);
        Assert.Equal("P2D", (string?)alert["override"]);
        Assert.Contains("between (200 .. 299)", query, StringComparison.Ordinal);
        Assert.Contains("variables('snsRequests')", query, StringComparison.Ordinal);
    }

    [Fact]
    public void SnsRequests_ExcludeTheHealthProbeAndTheTimer()
    {
        // The availability test calls /api/health every 5 minutes: counted as SNS traffic it would hide any silence.
        var snsRequests = (string?)template.Variable("snsRequests");

        Assert.Equal("requests | where name =~ 'sns' or url has '/api/sns'", snsRequests);
    }

    [Theory]
    [InlineData("sns-5xx", "toint(resultCode) >= 500")]
    [InlineData("sns-4xx", "between (400 .. 499)")]
    [InlineData("sns-4xx", "resultCode != ''401''")]
    [InlineData("ledger-purge-failed", "ledger-purge")]
    public void Alert_QueriesWhatItsNameSays(string name, string fragment)
    {
        Assert.Contains(fragment, Query(name), StringComparison.Ordinal);
    }

    [Fact]
    public void AvailabilityTest_GetsTheAnonymousHealthEndpointAndExpects200()
    {
        var test = template.SingleResourceOfType("Microsoft.Insights/webtests");
        var properties = test["properties"]!;

        Assert.Equal("standard", (string?)test["kind"]);
        Assert.Equal("[format('https://{0}/api/health', reference('site').defaultHostName)]", (string?)properties["Request"]?["RequestUrl"]);
        Assert.Equal("GET", (string?)properties["Request"]?["HttpVerb"]);
        Assert.Equal(200, (int?)properties["ValidationRules"]?["ExpectedHttpStatusCode"]);
        Assert.True(properties["Locations"]!.AsArray().Count >= 5, "Availability tests should run from at least five locations.");
        Assert.Contains("hidden-link:", (string?)test["tags"], StringComparison.Ordinal);
        Assert.DoesNotContain("code=", properties.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AvailabilityAlert_FiresOnFailedLocations()
    {
        var alert = template.SingleResourceOfType("Microsoft.Insights/metricAlerts");
        var criteria = alert["properties"]?["criteria"];

        Assert.Equal("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", (string?)criteria?["odata.type"]);
        Assert.Contains("Microsoft.Insights/webtests", (string?)criteria?["webTestId"], StringComparison.Ordinal);
        Assert.Contains("Microsoft.Insights/actionGroups", alert["properties"]?["actions"]?.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraAppSettings_AreMergedLast()
    {
        var expression = (string?)template.SingleResourceOfType("Microsoft.Web/sites/config")["properties"];

        Assert.NotNull(expression);
        Assert.EndsWith(", parameters('extraAppSettings'))]", expression, StringComparison.Ordinal);
        Assert.Equal("object", (string?)template.RequireArm()["parameters"]?["extraAppSettings"]?["type"]);
    }

    [Fact]
    public void Storage_HasNoQueueRole()
    {
        // Nothing uses a queue (HTTP and timer triggers): Storage Queue Data Contributor would be privilege for nothing.
        Assert.DoesNotContain("974c5e8b-45b9-4653-ba55-5f855dd0fb88", template.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("queue", template.Variable("roles").ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PrivateNetworking_IsOptInAndClosesStorage()
    {
        var parameter = template.RequireArm()["parameters"]?["vnetEnabled"];
        Assert.False((bool?)parameter?["defaultValue"]);

        Assert.Equal("[parameters('vnetEnabled')]", (string?)template.SingleResourceOfType("Microsoft.Network/virtualNetworks")["condition"]);
        var endpoints = template.ResourcesOfType("Microsoft.Network/privateEndpoints");
        Assert.Equal(2, endpoints.Count);
        Assert.All(endpoints, e => Assert.Equal("[parameters('vnetEnabled')]", (string?)e["condition"]));
        var groups = endpoints.SelectMany(e => e["properties"]!["privateLinkServiceConnections"]!.AsArray())
            .Select(c => (string?)c?["properties"]?["groupIds"]?[0]).Order(StringComparer.Ordinal);
        Assert.Equal(["blob", "table"], groups);

        var storage = template.SingleResourceOfType("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.Equal("[if(parameters('vnetEnabled'), 'Disabled', 'Enabled')]", (string?)storage["publicNetworkAccess"]);
        var site = template.SingleResourceOfType("Microsoft.Web/sites")["properties"]!;
        Assert.StartsWith("[if(parameters('vnetEnabled'), resourceId('Microsoft.Network/virtualNetworks/subnets', ", (string?)site["virtualNetworkSubnetId"], StringComparison.Ordinal);
    }

    [Fact]
    public void WebIdentity_PassesTheIdentitysClientIdAndTheHubRole()
    {
        var settings = template.AppSettings();

        Assert.Contains("'Aws__WebIdentity__RoleArn', parameters('awsWebIdentityRoleArn')", settings, StringComparison.Ordinal);
        Assert.Contains("'Aws__WebIdentity__Audience', parameters('awsWebIdentityAudience')", settings, StringComparison.Ordinal);
        Assert.Contains("'Aws__WebIdentity__ClientId', reference('identity').clientId", settings, StringComparison.Ordinal);
        Assert.Contains("'Aws__RoleArnTemplate', parameters('awsRoleArnTemplate')", settings, StringComparison.Ordinal);
        Assert.Contains("'Aws__ExternalId', parameters('awsExternalId')", settings, StringComparison.Ordinal);
        Assert.Equal("arn:aws:iam::{accountId}:role/SgNotifierReader", (string?)template.RequireArm()["parameters"]?["awsRoleArnTemplate"]?["defaultValue"]);
        Assert.NotNull(template.RequireArm()["outputs"]?["managedIdentityPrincipalId"]);
        Assert.NotNull(template.RequireArm()["outputs"]?["tenantId"]);
    }

    private IReadOnlyList<JsonObject> Alerts() => template.Variable("logAlerts").AsArray().OfType<JsonObject>().ToList();

    private JsonObject Alert(string name) => Alerts().Single(a => (string?)a["name"] == name);

    private string Query(string name) => (string?)Alert(name)["query"] ?? string.Empty;
}
