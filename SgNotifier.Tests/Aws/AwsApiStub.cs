using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Http;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Aws;

/// <summary>
/// CloudTrail (AWS JSON 1.1 <c>LookupEvents</c>), STS (Query/XML <c>AssumeRole</c>, <c>AssumeRoleWithWebIdentity</c>)
/// and EC2 (Query/XML <c>DescribeSecurityGroups</c>) on one loopback port, behaving like AWS where SgNotifier cares:
/// session credentials need a signed <c>X-Amz-Security-Token</c>, sessions expire, pages follow <c>NextToken</c>,
/// errors carry <c>__type</c> or an XML <c>Error</c>. Every service URL setting of the app points here.
/// </summary>
internal sealed class AwsApiStub : IAsyncDisposable
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

    /// <summary>The EC2 <c>DescribeSecurityGroups</c> answer; null: 400 InvalidGroup.NotFound.</summary>
    public string? Ec2Body { get; set; }

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
            case "DescribeSecurityGroups":
                if (Check(request) is { } problem)
                {
                    await WriteAsync(context, 401, "text/xml", Ec2Error(problem.Code, problem.Message));
                    return;
                }

                await WriteAsync(context, Ec2Body is null ? 400 : 200, "text/xml", Ec2Body ?? Ec2Error("InvalidGroup.NotFound", "The security group does not exist"));
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

    private sealed class Session(string account, string token)
    {
        public string Account { get; } = account;

        public string Token { get; } = token;

        public bool Expired { get; set; }
    }
}
