using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

public sealed class EmulatorSmokeTests
{
    [Fact]
    public async Task SesEmulator_AnswersItsStore()
    {
        using var http = new HttpClient();
        var store = await http.GetStringAsync(new Uri(await SharedEmulators.SesUrlAsync(), "/store"));
        Assert.Contains("\"emails\"", store, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateAzurite_StopsAndRestartsOnTheSamePort()
    {
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        using var http = new HttpClient();
        var before = await http.GetAsync(new Uri(azurite.BaseUri, "/devstoreaccount1/Tables"));
        Assert.NotEqual(0, (int)before.StatusCode);
        await azurite.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(azurite.BaseUri, "/devstoreaccount1/Tables")));
        await azurite.RestartAsync();
        Assert.True(azurite.IsRunning);
    }
}
