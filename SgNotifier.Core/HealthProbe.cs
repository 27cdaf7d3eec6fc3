using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Email;
using SgNotifier.Core.Sns;

namespace SgNotifier.Core;

/// <summary>
/// What <c>GET /api/health</c> checks, in both hosts: the settings are valid, the ledger answers, and a real mail
/// provider is configured. It reads the ledger once and calls no mail provider (that would cost a send or need
/// permissions the app otherwise does not use).
/// </summary>
public sealed class HealthProbe(
    IServiceProvider services,
    IOptions<LedgerOptions> ledger,
    IOptions<EmailOptions> email,
    IOptions<SnsOptions> sns,
    ILogger<HealthProbe> logger,
    string environmentName)
{
    /// <summary>An availability test waits about 30 s; a storage outage must answer 503 well before that.</summary>
    private static readonly TimeSpan LedgerBudget = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var report = await CheckAllAsync(cancellationToken);
        if (!report.IsHealthy)
        {
            logger.HealthCheckFailed(string.Join("; ", report.Checks.Where(static c => !c.Healthy).Select(static c => c.Name + ": " + c.Detail)));
        }

        return report;
    }

    private async Task<HealthReport> CheckAllAsync(CancellationToken cancellationToken)
    {
        var settings = CheckSettings();
        if (!settings.Healthy)
        {
            return new HealthReport([
                settings,
                new HealthCheckResult("ledger", false, "not checked: the settings are invalid"),
                new HealthCheckResult("email", false, "not checked: the settings are invalid"),
            ]);
        }

        return new HealthReport([settings, await CheckLedgerAsync(cancellationToken), CheckEmail()]);
    }

    private HealthCheckResult CheckSettings()
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException exception)
        {
            // Our validation messages name the key and never contain its value.
            return new HealthCheckResult("settings", false, exception.Message);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(static e => e is OptionsValidationException))
        {
            // The startup validator aggregates when more than one section is invalid.
            return new HealthCheckResult("settings", false, string.Join("; ", exception.InnerExceptions.Select(static e => e.Message)));
        }

        return sns.Value.AllowedTopicArns.Count == 0
            ? new HealthCheckResult("settings", false, "Sns:AllowedTopicArns is empty: every SNS message is rejected (topic-not-allowed)")
            : new HealthCheckResult("settings", true, "valid");
    }

    private async Task<HealthCheckResult> CheckLedgerAsync(CancellationToken cancellationToken)
    {
        if (ledger.Value.Provider != LedgerProvider.Table)
        {
            return new HealthCheckResult("ledger", true, "in-memory ledger: duplicates are recognised only within this process");
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LedgerBudget);
        string? problem;
        try
        {
            problem = await services.GetRequiredService<TableNotificationLedger>().ProbeAsync(budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"Table storage did not answer within {LedgerBudget.TotalSeconds:0} s";
        }

        return problem is null
            ? new HealthCheckResult("ledger", true, "Table storage answered (table " + ledger.Value.TableName + ")")
            : new HealthCheckResult("ledger", false, problem);
    }

    private HealthCheckResult CheckEmail()
    {
        var provider = email.Value.Provider;
        // The outbox writes files: right for a local run, but outside Development it means no mail ever leaves.
        return provider == EmailProvider.Outbox &&
               !string.Equals(environmentName, SgNotifierServiceCollectionExtensions.DevelopmentEnvironment, StringComparison.OrdinalIgnoreCase)
            ? new HealthCheckResult("email", false, "Email:Provider is Outbox outside Development: mail is written to files, not sent")
            : new HealthCheckResult("email", true, "provider " + provider.ToString().ToLowerInvariant());
    }
}
