using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Tests.Ledger;

/// <summary><c>Ledger:GroupTableName</c>: its default, its syntax (DataAnnotations) and the cross-field rule, as the composition binds them.</summary>
public sealed class GroupTableNameValidationTests
{
    [Fact]
    public void NothingConfigured_UsesSgNotifierGroups()
    {
        Assert.Equal("SgNotifierGroups", Resolve([]).GroupTableName);
    }

    [Fact]
    public void AValidName_IsUsed()
    {
        Assert.Equal("Groups2026", Resolve(new() { ["Ledger:GroupTableName"] = "Groups2026" }).GroupTableName);
    }

    [Theory]
    [InlineData("ab", "must be 3-63 letters or digits")]
    [InlineData("1Groups", "must be 3-63 letters or digits")]
    [InlineData("Sg-Groups", "must be 3-63 letters or digits")]
    [InlineData("", "is required")]
    [InlineData("TABLES", "reserved")]
    [InlineData("sgnotifierledger", "must differ from Ledger:TableName")]
    public void InvalidName_FailsNamingTheKey(string name, string reason)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Ledger:GroupTableName"] = name }));

        Assert.Contains("Ledger:GroupTableName", failure.Message, StringComparison.Ordinal);
        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
    }

    private static LedgerOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.Section)).ValidateDataAnnotations();
        services.AddSingleton<IValidateOptions<LedgerOptions>, GroupTableNameValidation>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<LedgerOptions>>().Value;
    }
}
