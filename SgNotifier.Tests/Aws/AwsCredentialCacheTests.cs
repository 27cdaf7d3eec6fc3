using Microsoft.Extensions.Time.Testing;

namespace SgNotifier.Tests.Aws;

public sealed class AwsCredentialCacheTests
{
    [Fact]
    public async Task RoleTemplate_AssumesTheAccountsRoleWithExternalIdAndSessionName()
    {
        await using var stub = await AwsApiStub.StartAsync();
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub));

        var result = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);

        Assert.NotNull(result.Credentials);
        var call = Assert.Single(stub.StsCalls);
        Assert.Equal("AssumeRole", call["Action"]);
        Assert.Equal("arn:aws:iam::210987654321:role/SgNotifierReader", call["RoleArn"]);
        Assert.Equal(AwsTestSetup.ExternalId, call["ExternalId"]);
        Assert.Equal("sgnotifier", call["RoleSessionName"]);
        var request = Assert.Single(stub.Requests);
        Assert.Equal(AwsApiStub.BaseAccessKey, AwsApiStub.AccessKeyOf(request));
    }

    [Fact]
    public async Task Session_IsCachedPerAccount_AndTwoAccountsGetTwoRoles()
    {
        await using var stub = await AwsApiStub.StartAsync();
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub));

        var first = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);
        var again = await cache.GetAsync("210987654321", "us-east-1", CancellationToken.None);
        var other = await cache.GetAsync("123456789012", "eu-west-1", CancellationToken.None);

        Assert.Same(first.Credentials, again.Credentials);
        Assert.NotSame(first.Credentials, other.Credentials);
        Assert.Equal(
            ["arn:aws:iam::210987654321:role/SgNotifierReader", "arn:aws:iam::123456789012:role/SgNotifierReader"],
            stub.StsCalls.Select(static c => c["RoleArn"]).ToArray());
    }

    [Fact]
    public async Task Session_IsRefreshedBeforeItExpires()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub), time);

        var first = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(50));
        var stillFresh = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(6)); // 4 minutes before the hour's end: inside the refresh margin
        var refreshed = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);

        Assert.Same(first.Credentials, stillFresh.Credentials);
        Assert.NotSame(first.Credentials, refreshed.Credentials);
        Assert.Equal(2, stub.StsCalls.Count());
    }

    [Fact]
    public async Task SlowAssumeRoleForOneAccount_DoesNotHoldUpAnotherAccount()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var held = (Arrived: new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Release: new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        stub.HeldRoles["arn:aws:iam::210987654321:role/SgNotifierReader"] = held;
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub));
        try
        {
            var slow = cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);
            await held.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var other = await cache.GetAsync("123456789012", "eu-west-1", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.NotNull(other.Credentials);
            Assert.False(slow.IsCompleted);
            held.Release.TrySetResult();
            Assert.NotNull((await slow.WaitAsync(TimeSpan.FromSeconds(30))).Credentials);
        }
        finally
        {
            held.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task AccessDenied_IsAPerAccountProblem_NotAnException()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.DeniedRoles["arn:aws:iam::210987654321:role/SgNotifierReader"] = true;
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub));

        var denied = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);
        var allowed = await cache.GetAsync("123456789012", "eu-west-1", CancellationToken.None);

        Assert.Null(denied.Credentials);
        Assert.False(denied.Transient);
        Assert.Contains("210987654321", denied.Problem, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", denied.Problem, StringComparison.Ordinal);
        Assert.NotNull(allowed.Credentials);
    }

    [Theory]
    [InlineData("21098765432")]
    [InlineData("2109876543210")]
    [InlineData("21098765432a")]
    [InlineData("210987654321:role/Admin")]
    public async Task AccountIdThatIsNot12Digits_NeverReachesSts(string accountId)
    {
        await using var stub = await AwsApiStub.StartAsync();
        using var cache = AwsTestSetup.Credentials(AwsTestSetup.Options(stub));

        var result = await cache.GetAsync(accountId, "eu-west-1", CancellationToken.None);

        Assert.Null(result.Credentials);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task WebIdentity_ExchangesTheManagedIdentityTokenForTheHubRole_ThenChainsIntoTheMemberRole()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var options = AwsTestSetup.Options(stub);
        options.WebIdentity.RoleArn = "arn:aws:iam::999988887777:role/SgNotifierHub";
        options.WebIdentity.Audience = "api://AzureADTokenExchange";
        var identity = new AwsTestSetup.FakeManagedIdentity();
        using var cache = AwsTestSetup.Credentials(options, token: identity);

        var result = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);

        Assert.NotNull(result.Credentials);
        Assert.Equal(["api://AzureADTokenExchange/.default"], identity.Scopes);
        var calls = stub.StsCalls.ToList();
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], calls.Select(static c => c["Action"]).ToArray());
        Assert.Equal("arn:aws:iam::999988887777:role/SgNotifierHub", calls[0]["RoleArn"]);
        Assert.Equal(AwsApiStub.WebIdentityToken, calls[0]["WebIdentityToken"]);
        Assert.Equal("sgnotifier", calls[0]["RoleSessionName"]);
        var requests = stub.Requests.ToList();
        Assert.Null(AwsApiStub.AccessKeyOf(requests[0])); // AssumeRoleWithWebIdentity is not signed
        Assert.Equal("hub", stub.AccountOf(requests[1])); // AssumeRole signed with the hub session
        Assert.True(requests[1].Headers.ContainsKey("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task WebIdentityRefused_IsAProblemNamingTheHubRole()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var options = AwsTestSetup.Options(stub, perAccountRoles: false);
        options.WebIdentity.RoleArn = "arn:aws:iam::999988887777:role/SgNotifierHub";
        options.WebIdentity.Audience = "api://wrong-audience";
        using var cache = AwsTestSetup.Credentials(options, token: new WrongToken());

        var result = await cache.GetAsync("210987654321", "eu-west-1", CancellationToken.None);

        Assert.Null(result.Credentials);
        Assert.Contains("SgNotifierHub", result.Problem, StringComparison.Ordinal);
        Assert.Contains("InvalidIdentityToken", result.Problem, StringComparison.Ordinal);
    }

    private sealed class WrongToken : Azure.Core.TokenCredential
    {
        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("not-the-expected-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
