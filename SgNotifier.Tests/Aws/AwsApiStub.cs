using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Aws;

/// <summary>
/// CloudTrail (AWS JSON 1.1 <c>LookupEvents</c>), STS (Query/XML <c>AssumeRole</c>, <c>AssumeRoleWithWebIdentity</c>)
/// and EC2 (Query/XML <c>DescribeSecurityGroups</c>, <c>DescribeSecurityGroupRules</c>) on one loopback port, behaving like AWS where SgNotifier cares:
/// session credentials need a signed <c>X-Amz-Security-Token</c>, sessions expire, pages follow <c>NextToken</c>,
/// errors carry <c>__type</c> or an XML <c>Error</c>. Every service URL setting of the app points here.
/// </summary>
internal sealed partial class AwsApiStub : IAsyncDisposable
{
    public const string BaseAccessKey = "AKIAQ3EGRZ7BBASEKEY1";
    public const string BaseSecretKey = "base-secret-key-for-the-loopback-stub";
    public const string WebIdentityToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.managed-identity.token";
    private const string CloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    private readonly LoopbackHttpStub _http;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private int _sessionCounter;

    private AwsApiStub(LoopbackHttpStub http) => _http = http;

    public string Url => _http.BaseUri.AbsoluteUri;

    public ConcurrentQueue<RecordedRequest> Requests => _http.Requests;

    /// <summary>CloudTrail records (JSON text) by the account whose credentials ask; <c>*</c> answers any account.</summary>
    public ConcurrentDictionary<string, List<string>> Events { get; } = new(StringComparer.Ordinal);

    public int PageSize { get; set; } = 50;

    /// <summary>Answers given before any real one, in order: (status, body, X-Amzn-ErrorType header).</summary>
    public ConcurrentQueue<(int Status, string Body, string? ErrorType)> CloudTrailFailures { get; } = new();

    /// <summary>The next this-many lookups answer <c>{"Events":[]}</c>, as CloudTrail does right after a call.</summary>
    public int EmptyLookups { get; set; }

    /// <summary>Roles whose <c>AssumeRole</c> is answered 403 AccessDenied.</summary>
    public ConcurrentDictionary<string, bool> DeniedRoles { get; } = new(StringComparer.Ordinal);

    /// <summary>Roles whose <c>AssumeRole</c> is held open: <c>Arrived</c> completes when the call reaches the stub, which answers only once <c>Release</c> completes.</summary>
    public ConcurrentDictionary<string, (TaskCompletionSource Arrived, TaskCompletionSource Release)> HeldRoles { get; } = new(StringComparer.Ordinal);

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Sessions issued so far are rejected with <c>ExpiredTokenException</c> (as after their expiry).</summary>
    public void ExpireAllSessions()
    {
        foreach (var session in _sessions.Values)
        {
            session.Expired = true;
        }
    }

    /// <summary>A fixed EC2 <c>DescribeSecurityGroups</c> answer; null: answered from <see cref="Groups"/> (unknown ids: 400 InvalidGroup.NotFound).</summary>
    public string? Ec2Body { get; set; }

    /// <summary>
    /// EC2's security groups by (account, region): the account as <see cref="AccountOf"/> names the signer (<c>base</c>
    /// for the base keys), the region from the signature's credential scope.
    /// </summary>
    public ConcurrentDictionary<(string Account, string Region), List<StubSecurityGroup>> Groups { get; } = new();

    /// <summary>The VPC whose groups <c>GroupName.N</c> finds (EC2's default VPC).</summary>
    public string DefaultVpcId { get; set; } = "vpc-0def0def0def0def0";

    /// <summary>EC2 answers given before any real one, per action, in order: (status, error code).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Code)>> Ec2Failures { get; } = new(StringComparer.Ordinal);

    public StubSecurityGroup AddGroup(string account, string region, StubSecurityGroup group)
    {
        var groups = Groups.GetOrAdd((account, region), static _ => []);
        lock (groups)
        {
            groups.Add(group);
        }

        return group;
    }

    /// <summary>The group with <paramref name="group"/>'s id, as EC2 now holds it (after a tag or rule change).</summary>
    public void ReplaceGroup(string account, string region, StubSecurityGroup group)
    {
        var groups = Groups.GetOrAdd((account, region), static _ => []);
        lock (groups)
        {
            groups.RemoveAll(g => g.GroupId == group.GroupId);
            groups.Add(group);
        }
    }

    public void FailNext(string action, int status, string code, int times = 1)
    {
        var queue = Ec2Failures.GetOrAdd(action, static _ => new ConcurrentQueue<(int, string)>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue((status, code));
        }
    }

    /// <summary>The form of each EC2 request of <paramref name="action"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Ec2Calls(string action) =>
        Requests.Select(static r => Form(r)).Where(f => f.TryGetValue("Action", out var a) && a == action).ToList();

    public IEnumerable<RecordedRequest> CloudTrailRequests => Requests.Where(static r => r.Headers.TryGetValue("X-Amz-Target", out var t) && t == CloudTrailTarget);

    public IEnumerable<IReadOnlyDictionary<string, string>> StsCalls => Requests.Select(static r => Form(r)).Where(static f => f.TryGetValue("Action", out var a) && a.StartsWith("AssumeRole", StringComparison.Ordinal));

    public static async Task<AwsApiStub> StartAsync()
    {
        AwsApiStub? stub = null;
        var http = await LoopbackHttpStub.StartAsync((context, request) => stub!.HandleAsync(context, request));
        stub = new AwsApiStub(http);
        return stub;
    }

    /// <summary>The account (or <c>base</c>) a request was signed for, from its access key id.</summary>
    public string AccountOf(RecordedRequest request)
    {
        var key = AccessKeyOf(request);
        return key is null ? "anonymous" : key == BaseAccessKey ? "base" : _sessions.TryGetValue(key, out var s) ? s.Account : "unknown";
    }

    public static string? AccessKeyOf(RecordedRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out var authorization))
        {
            return null;
        }

        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        return start < 0 ? null : authorization[(start + "Credential=".Length)..].Split('/')[0];
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        if (request.Headers.TryGetValue("X-Amz-Target", out var target))
        {
            await CloudTrailAsync(context, request, target);
            return;
        }

        var form = Form(request);
        switch (form.GetValueOrDefault("Action"))
        {
            case "AssumeRole":
                await AssumeRoleAsync(context, request, form);
                return;
            case "AssumeRoleWithWebIdentity":
                await AssumeRoleWithWebIdentityAsync(context, form);
                return;
            case "DescribeSecurityGroups" or "DescribeSecurityGroupRules":
                if (Check(request) is { } problem)
                {
                    await WriteAsync(context, 401, "text/xml", Ec2Error(problem.Code, problem.Message));
                    return;
                }

                if (Ec2Failures.TryGetValue(form["Action"], out var failures) && failures.TryDequeue(out var failure))
                {
                    await WriteAsync(context, failure.Status, "text/xml", Ec2Error(failure.Code, "injected by the test"));
                    return;
                }

                if (form["Action"] == "DescribeSecurityGroups" && Ec2Body is not null)
                {
                    await WriteAsync(context, 200, "text/xml", Ec2Body);
                    return;
                }

                var (status, body) = form["Action"] == "DescribeSecurityGroups"
                    ? DescribeSecurityGroups(GroupsOf(request), form)
                    : DescribeSecurityGroupRules(GroupsOf(request), form);
                await WriteAsync(context, status, "text/xml", body);
                return;
            default:
                await WriteAsync(context, 400, "text/xml", Ec2Error("InvalidAction", "unknown action"));
                return;
        }
    }

    private async Task CloudTrailAsync(HttpContext context, RecordedRequest request, string target)
    {
        if (target != CloudTrailTarget || request.Method != "POST" || request.PathAndQuery != "/" ||
            request.Headers.GetValueOrDefault("Content-Type") != "application/x-amz-json-1.1")
        {
            await JsonErrorAsync(context, 400, "UnknownOperationException", "bad request shape", null);
            return;
        }

        if (Check(request) is { } problem)
        {
            await JsonErrorAsync(context, problem.Code == "ExpiredTokenException" ? 400 : 403, problem.Code, problem.Message, null);
            return;
        }

        if (CloudTrailFailures.TryDequeue(out var failure))
        {
            await WriteAsync(context, failure.Status, "application/x-amz-json-1.1", failure.Body, failure.ErrorType);
            return;
        }

        var body = JsonNode.Parse(request.BodyText)!.AsObject();
        var attributes = body["LookupAttributes"]!.AsArray();
        if (attributes.Count != 1 || body.ContainsKey("EventCategory"))
        {
            await JsonErrorAsync(context, 400, "InvalidLookupAttributesException", "exactly one lookup attribute", null);
            return;
        }

        var key = (string)attributes[0]!["AttributeKey"]!;
        var value = (string)attributes[0]!["AttributeValue"]!;
        var start = body["StartTime"] is { } s ? DateTimeOffset.FromUnixTimeSeconds((long)s) : DateTimeOffset.MinValue;
        var end = body["EndTime"] is { } e ? DateTimeOffset.FromUnixTimeSeconds((long)e) : DateTimeOffset.MaxValue;
        var offset = body["NextToken"] is { } token ? int.Parse(((string)token!)["page-".Length..], CultureInfo.InvariantCulture) : 0;

        if (EmptyLookups > 0)
        {
            EmptyLookups--;
            await WriteAsync(context, 200, "application/x-amz-json-1.1", "{\"Events\":[]}");
            return;
        }

        var account = AccountOf(request);
        var records = (Events.GetValueOrDefault(account) ?? Events.GetValueOrDefault("*") ?? [])
            .Select(static text => (Text: text, Record: JsonNode.Parse(text)!))
            .Where(r => key switch
            {
                "EventId" => (string?)r.Record["eventID"] == value,
                "ResourceName" => r.Text.Contains(value, StringComparison.Ordinal),
                _ => false,
            })
            .Where(r => DateTimeOffset.Parse((string)r.Record["eventTime"]!, CultureInfo.InvariantCulture) is var t && t >= start && t <= end)
            .OrderByDescending(static r => (string?)r.Record["eventTime"], StringComparer.Ordinal)
            .ToList();
        var page = records.Skip(offset).Take(PageSize).ToList();
        var events = new JsonArray();
        foreach (var (text, record) in page)
        {
            events.Add(new JsonObject
            {
                ["EventId"] = (string?)record["eventID"],
                ["EventName"] = (string?)record["eventName"],
                ["ReadOnly"] = "false",
                ["EventTime"] = DateTimeOffset.Parse((string)record["eventTime"]!, CultureInfo.InvariantCulture).ToUnixTimeSeconds(),
                ["EventSource"] = (string?)record["eventSource"],
                ["Username"] = (string?)record["userIdentity"]?["userName"],
                ["Resources"] = new JsonArray(new JsonObject { ["ResourceType"] = "AWS::EC2::SecurityGroup", ["ResourceName"] = value }),
                ["CloudTrailEvent"] = text,
            });
        }

        var answer = new JsonObject { ["Events"] = events };
        if (offset + PageSize < records.Count)
        {
            answer["NextToken"] = "page-" + (offset + PageSize).ToString(CultureInfo.InvariantCulture);
        }

        await WriteAsync(context, 200, "application/x-amz-json-1.1", answer.ToJsonString());
    }

    private async Task AssumeRoleAsync(HttpContext context, RecordedRequest request, IReadOnlyDictionary<string, string> form)
    {
        if (Check(request) is { } problem)
        {
            await WriteAsync(context, 403, "text/xml", StsError(problem.Code, problem.Message));
            return;
        }

        var roleArn = form.GetValueOrDefault("RoleArn") ?? "";
        if (DeniedRoles.ContainsKey(roleArn))
        {
            await WriteAsync(context, 403, "text/xml", StsError("AccessDenied", $"User is not authorized to perform: sts:AssumeRole on resource: {roleArn}"));
            return;
        }

        if (HeldRoles.TryGetValue(roleArn, out var held))
        {
            held.Arrived.TrySetResult();
            await held.Release.Task;
        }

        var account = roleArn.Split(':') is { Length: 6 } parts ? parts[4] : "unknown";
        await WriteAsync(context, 200, "text/xml", Credentials("AssumeRole", account, roleArn));
    }

    private async Task AssumeRoleWithWebIdentityAsync(HttpContext context, IReadOnlyDictionary<string, string> form)
    {
        if (form.GetValueOrDefault("WebIdentityToken") != WebIdentityToken)
        {
            await WriteAsync(context, 400, "text/xml", StsError("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider"));
            return;
        }

        await WriteAsync(context, 200, "text/xml", Credentials("AssumeRoleWithWebIdentity", "hub", form.GetValueOrDefault("RoleArn") ?? ""));
    }

    private static readonly XNamespace Ec2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private Ec2Scope GroupsOf(RecordedRequest request)
    {
        // Credential=AKID/20261130/eu-west-1/ec2/aws4_request
        var scope = request.Headers.GetValueOrDefault("Authorization")?.Split("Credential=")[^1].Split(',')[0].Split('/');
        var region = scope is { Length: >= 5 } ? scope[2] : "unknown";
        var account = AccountOf(request);
        var owner = account.Length == 12 ? account : "210987654321";
        if (!Groups.TryGetValue((account, region), out var groups))
        {
            return new Ec2Scope(owner, region, []);
        }

        lock (groups)
        {
            return new Ec2Scope(owner, region, [.. groups]);
        }
    }

    /// <summary>Values of <c>Name.1</c>, <c>Name.2</c>, … (EC2 Query lists).</summary>
    private static List<string> List(IReadOnlyDictionary<string, string> form, string name)
    {
        var values = new List<string>();
        for (var i = 1; form.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{name}.{i}"), out var value); i++)
        {
            values.Add(value);
        }

        return values;
    }

    private static Dictionary<string, List<string>> Filters(IReadOnlyDictionary<string, string> form)
    {
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 1; form.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"Filter.{i}.Name"), out var name); i++)
        {
            filters[name] = List(form, string.Create(CultureInfo.InvariantCulture, $"Filter.{i}.Value"));
        }

        return filters;
    }

    private (int Status, string Body) DescribeSecurityGroups(Ec2Scope scope, IReadOnlyDictionary<string, string> form)
    {
        var groups = scope.Groups;
        var ids = List(form, "GroupId");
        var names = List(form, "GroupName");
        var filters = Filters(form);
        if ((ids.Count > 0 || names.Count > 0) && form.ContainsKey("MaxResults"))
        {
            return (400, Ec2Error("InvalidParameterCombination", "The parameter groupIds cannot be used with the parameter maxResults"));
        }

        if (filters.Keys.FirstOrDefault(static k => k is not ("group-id" or "group-name" or "vpc-id")) is { } unknownFilter)
        {
            return (400, Ec2Error("InvalidParameterValue", $"The filter '{unknownFilter}' is invalid"));
        }

        var selected = groups.AsEnumerable();
        foreach (var id in ids)
        {
            if (!GroupIdPattern().IsMatch(id))
            {
                return (400, Ec2Error("InvalidGroupId.Malformed", $"Invalid id: \"{id}\" (expecting \"sg-...\")"));
            }

            if (!groups.Any(g => g.GroupId == id))
            {
                return (400, Ec2Error("InvalidGroup.NotFound", $"The security group '{id}' does not exist"));
            }
        }

        foreach (var name in names)
        {
            if (!groups.Any(g => g.GroupName == name && g.VpcId == DefaultVpcId))
            {
                return (400, Ec2Error("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC '{DefaultVpcId}'"));
            }
        }

        selected = selected
            .Where(g => ids.Count == 0 || ids.Contains(g.GroupId))
            .Where(g => names.Count == 0 || (names.Contains(g.GroupName) && g.VpcId == DefaultVpcId))
            .Where(g => !filters.TryGetValue("group-id", out var v) || v.Contains(g.GroupId))
            .Where(g => !filters.TryGetValue("group-name", out var v) || v.Contains(g.GroupName))
            .Where(g => !filters.TryGetValue("vpc-id", out var v) || v.Contains(g.VpcId));
        var (page, next, error) = Page(selected.ToList(), form, 5, 1000);
        if (error is not null)
        {
            return (400, error);
        }

        var info = new XElement(Ec2 + "securityGroupInfo", page.Select(g => new XElement(
            Ec2 + "item",
            new XElement(Ec2 + "ownerId", scope.Owner),
            new XElement(Ec2 + "groupId", g.GroupId),
            new XElement(Ec2 + "groupName", g.GroupName),
            new XElement(Ec2 + "groupDescription", g.Description),
            new XElement(Ec2 + "vpcId", g.VpcId),
            new XElement(Ec2 + "securityGroupArn", $"arn:aws:ec2:{scope.Region}:{scope.Owner}:security-group/{g.GroupId}"),
            Permissions("ipPermissions", g.Rules.Where(static r => !r.IsEgress)),
            Permissions("ipPermissionsEgress", g.Rules.Where(static r => r.IsEgress)),
            new XElement(Ec2 + "tagSet", g.Tags.Select(static t => new XElement(Ec2 + "item", new XElement(Ec2 + "key", t.Key), new XElement(Ec2 + "value", t.Value)))))));
        return (200, Ec2Response("DescribeSecurityGroupsResponse", info, next));
    }

    private static (int Status, string Body) DescribeSecurityGroupRules(Ec2Scope scope, IReadOnlyDictionary<string, string> form)
    {
        var groups = scope.Groups;
        var ruleIds = List(form, "SecurityGroupRuleId");
        var filters = Filters(form);
        if (filters.Keys.FirstOrDefault(static k => k is not ("group-id" or "security-group-rule-id")) is { } unknownFilter)
        {
            return (400, Ec2Error("InvalidParameterValue", $"The filter '{unknownFilter}' is invalid"));
        }

        var all = groups.SelectMany(static g => g.Rules.Select(r => (Group: g, Rule: r))).ToList();
        foreach (var id in ruleIds)
        {
            if (!RuleIdPattern().IsMatch(id))
            {
                return (400, Ec2Error("InvalidSecurityGroupRuleId.Malformed", $"The security group rule ID '{id}' is malformed"));
            }

            if (!all.Any(r => r.Rule.RuleId == id))
            {
                return (400, Ec2Error("InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist"));
            }
        }

        var selected = all
            .Where(r => ruleIds.Count == 0 || ruleIds.Contains(r.Rule.RuleId))
            .Where(r => !filters.TryGetValue("group-id", out var v) || v.Contains(r.Group.GroupId))
            .Where(r => !filters.TryGetValue("security-group-rule-id", out var v) || v.Contains(r.Rule.RuleId))
            .ToList();
        var (page, next, error) = Page(selected, form, 5, 1000);
        if (error is not null)
        {
            return (400, error);
        }

        var set = new XElement(Ec2 + "securityGroupRuleSet", page.Select(r =>
        {
            var owner = scope.Owner;
            return new XElement(
                Ec2 + "item",
                new XElement(Ec2 + "securityGroupRuleId", r.Rule.RuleId),
                new XElement(Ec2 + "groupId", r.Group.GroupId),
                new XElement(Ec2 + "groupOwnerId", owner),
                new XElement(Ec2 + "isEgress", r.Rule.IsEgress ? "true" : "false"),
                new XElement(Ec2 + "ipProtocol", r.Rule.IpProtocol),
                new XElement(Ec2 + "fromPort", r.Rule.FromPort ?? -1),
                new XElement(Ec2 + "toPort", r.Rule.ToPort ?? -1),
                r.Rule.CidrIpv4 is { } v4 ? new XElement(Ec2 + "cidrIpv4", v4) : null,
                r.Rule.CidrIpv6 is { } v6 ? new XElement(Ec2 + "cidrIpv6", v6) : null,
                r.Rule.PrefixListId is { } pl ? new XElement(Ec2 + "prefixListId", pl) : null,
                r.Rule.ReferencedGroupId is { } referenced
                    ? new XElement(Ec2 + "referencedGroupInfo", new XElement(Ec2 + "groupId", referenced), new XElement(Ec2 + "userId", r.Rule.ReferencedUserId ?? owner))
                    : null,
                r.Rule.Description is { } description ? new XElement(Ec2 + "description", description) : null,
                new XElement(Ec2 + "tagSet"),
                new XElement(Ec2 + "securityGroupRuleArn", $"arn:aws:ec2:{scope.Region}:{owner}:security-group-rule/{r.Rule.RuleId}"));
        }));
        return (200, Ec2Response("DescribeSecurityGroupRulesResponse", set, next));
    }

    /// <summary>One page after <c>NextToken</c> (<c>page-N</c>), of <c>MaxResults</c> items, which EC2 bounds.</summary>
    private static (List<T> Page, string? Next, string? Error) Page<T>(List<T> items, IReadOnlyDictionary<string, string> form, int min, int max)
    {
        var size = items.Count;
        if (form.TryGetValue("MaxResults", out var maxText))
        {
            if (!int.TryParse(maxText, CultureInfo.InvariantCulture, out size) || size < min || size > max)
            {
                return ([], null, Ec2Error("InvalidParameterValue", $"Value ( {maxText} ) for parameter maxResults is invalid. Expecting a value between {min} and {max}."));
            }
        }

        var offset = 0;
        if (form.TryGetValue("NextToken", out var token) &&
            (!token.StartsWith("page-", StringComparison.Ordinal) || !int.TryParse(token.AsSpan(5), CultureInfo.InvariantCulture, out offset)))
        {
            return ([], null, Ec2Error("InvalidPaginationToken", "The pagination token is invalid"));
        }

        var page = items.Skip(offset).Take(size).ToList();
        return (page, offset + size < items.Count ? "page-" + (offset + size).ToString(CultureInfo.InvariantCulture) : null, null);
    }

    /// <summary>EC2 bundles rules of one protocol and port range into one permission with several peers.</summary>
    private static XElement Permissions(string name, IEnumerable<StubRule> rules) => new(
        Ec2 + name,
        rules.GroupBy(static r => (r.IpProtocol, r.FromPort, r.ToPort)).Select(static p => new XElement(
            Ec2 + "item",
            new XElement(Ec2 + "ipProtocol", p.Key.IpProtocol),
            p.Key.FromPort is { } from ? new XElement(Ec2 + "fromPort", from) : null,
            p.Key.ToPort is { } to ? new XElement(Ec2 + "toPort", to) : null,
            new XElement(Ec2 + "groups", p.Where(static r => r.ReferencedGroupId is not null).Select(static r => new XElement(
                Ec2 + "item", new XElement(Ec2 + "groupId", r.ReferencedGroupId), r.ReferencedUserId is { } user ? new XElement(Ec2 + "userId", user) : null, Description(r)))),
            new XElement(Ec2 + "ipRanges", p.Where(static r => r.CidrIpv4 is not null).Select(static r => new XElement(Ec2 + "item", new XElement(Ec2 + "cidrIp", r.CidrIpv4), Description(r)))),
            new XElement(Ec2 + "ipv6Ranges", p.Where(static r => r.CidrIpv6 is not null).Select(static r => new XElement(Ec2 + "item", new XElement(Ec2 + "cidrIpv6", r.CidrIpv6), Description(r)))),
            new XElement(Ec2 + "prefixListIds", p.Where(static r => r.PrefixListId is not null).Select(static r => new XElement(Ec2 + "item", new XElement(Ec2 + "prefixListId", r.PrefixListId), Description(r)))))));

    private static XElement? Description(StubRule rule) => rule.Description is { } text ? new XElement(Ec2 + "description", text) : null;

    private static string Ec2Response(string name, XElement body, string? nextToken) =>
        new XDocument(new XElement(
            Ec2 + name,
            new XElement(Ec2 + "requestId", Guid.NewGuid()),
            body,
            nextToken is null ? null : new XElement(Ec2 + "nextToken", nextToken))).ToString();

    [GeneratedRegex("^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$")]
    private static partial Regex GroupIdPattern();

    [GeneratedRegex("^sgr-[0-9a-f]{8}(?:[0-9a-f]{9})?$")]
    private static partial Regex RuleIdPattern();

    private string Credentials(string action, string account, string roleArn)
    {
        var n = Interlocked.Increment(ref _sessionCounter);
        var key = string.Create(CultureInfo.InvariantCulture, $"ASIA{account.ToUpperInvariant()}{n:D4}");
        var session = new Session(account, $"token-{account}-{n}");
        _sessions[key] = session;
        var expiration = DateTimeOffset.UtcNow.Add(SessionLifetime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"""
            <{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <{action}Result>
                <Credentials>
                  <AccessKeyId>{key}</AccessKeyId>
                  <SecretAccessKey>secret-{n}</SecretAccessKey>
                  <SessionToken>{session.Token}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
                <AssumedRoleUser>
                  <AssumedRoleId>AROAQ3EGRZ7BREADER01:sgnotifier</AssumedRoleId>
                  <Arn>{roleArn.Replace(":iam::", ":sts::", StringComparison.Ordinal).Replace(":role/", ":assumed-role/", StringComparison.Ordinal)}/sgnotifier</Arn>
                </AssumedRoleUser>
              </{action}Result>
              <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
            </{action}Response>
            """;
    }

    /// <summary>What AWS checks of the credentials: a known key, and for a session its token, signed and current.</summary>
    private (string Code, string Message)? Check(RecordedRequest request)
    {
        var key = AccessKeyOf(request);
        if (key is null)
        {
            return ("MissingAuthenticationTokenException", "Request is missing Authentication Token");
        }

        if (key == BaseAccessKey)
        {
            return null;
        }

        if (!_sessions.TryGetValue(key, out var session))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var signedHeaders = request.Headers["Authorization"].Split("SignedHeaders=")[^1].Split(',')[0];
        if (request.Headers.GetValueOrDefault("X-Amz-Security-Token") != session.Token ||
            !signedHeaders.Split(';').Contains("x-amz-security-token"))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        return session.Expired ? ("ExpiredTokenException", "The security token included in the request is expired") : null;
    }

    private static IReadOnlyDictionary<string, string> Form(RecordedRequest request)
    {
        if (!request.Headers.TryGetValue("Content-Type", out var type) || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
        {
            return new Dictionary<string, string>();
        }

        var parsed = HttpUtility.ParseQueryString(request.BodyText);
        return parsed.AllKeys.OfType<string>().ToDictionary(static k => k, k => parsed[k] ?? "", StringComparer.Ordinal);
    }

    private static Task JsonErrorAsync(HttpContext context, int status, string code, string message, string? errorType) =>
        WriteAsync(context, status, "application/x-amz-json-1.1",
            new JsonObject { ["__type"] = "com.amazonaws.cloudtrail.v20131101#" + code, ["message"] = message }.ToJsonString(), errorType);

    private static string StsError(string code, string message) =>
        $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>";

    private static string Ec2Error(string code, string message) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>";

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body, string? errorType = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        if (errorType is not null)
        {
            context.Response.Headers["X-Amzn-ErrorType"] = errorType;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public ValueTask DisposeAsync() => _http.DisposeAsync();

    private sealed record Ec2Scope(string Owner, string Region, List<StubSecurityGroup> Groups);

    private sealed class Session(string account, string token)
    {
        public string Account { get; } = account;

        public string Token { get; } = token;

        public bool Expired { get; set; }
    }
}
