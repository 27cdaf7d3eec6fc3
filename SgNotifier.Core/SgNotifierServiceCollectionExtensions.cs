using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Email;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core;

public static class SgNotifierServiceCollectionExtensions
{
    public const string DevelopmentEnvironment = "Development";

    /// <summary>
    /// The only DI wiring of SgNotifier: the Functions app and every CLI command call this. Options are bound,
    /// validated and checked at start, so a misconfigured app refuses to start with a message naming the key.
    /// </summary>
    public static IServiceCollection AddSgNotifier(this IServiceCollection services, IConfiguration configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environmentName);
        var development = string.Equals(environmentName, DevelopmentEnvironment, StringComparison.OrdinalIgnoreCase);

        services.TryAddSingletonTimeProvider();
        services.AddMetrics();
        services.AddSingleton<SgNotifierMetrics>();

        // SNS: verification and subscription confirmation
        services.AddOptions<SnsOptions>()
            .Bind(configuration.GetSection(SnsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.VerifySignatures || development,
                "Sns:VerifySignatures may be false only when the environment (AZURE_FUNCTIONS_ENVIRONMENT or DOTNET_ENVIRONMENT) is Development")
            .Validate(o => o.AllowedTopicArns.Count > 0 || development,
                "Sns:AllowedTopicArns is empty: list the SNS topic ARNs whose messages this app accepts")
            .Validate(static o => string.IsNullOrEmpty(o.AccessKeyId) == string.IsNullOrEmpty(o.SecretAccessKey),
                "Sns:AccessKeyId and Sns:SecretAccessKey must be set together (or neither, for the default AWS credential chain)")
            .Validate(static o => string.IsNullOrEmpty(o.SessionToken) || !string.IsNullOrEmpty(o.AccessKeyId),
                "Sns:SessionToken needs Sns:AccessKeyId and Sns:SecretAccessKey (a temporary key is all three)")
            .Validate(static o => string.IsNullOrEmpty(o.SessionToken) || (o.SessionToken.Trim() == o.SessionToken && !o.SessionToken.Any(char.IsControl)),
                "Sns:SessionToken must be the token as issued: no spaces around it, no line breaks")
            .Validate(o => o.AllowedTopicArns.All(arn => TopicArn.TryParse(arn, out _)),
                "Sns:AllowedTopicArns holds a value that is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
            .ValidateOnStart();
        services.AddHttpClient(SigningCertificateCache.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddHttpClient(SnsSubscriptionConfirmer.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddHttpClient(SnsSubscriptionConfirmer.SignedHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static sp => SnsSubscriptionConfirmer.CreateSigningHandler(sp.GetRequiredService<IOptions<SnsOptions>>().Value));
        services.AddSingleton<SigningCertificateCache>();
        services.AddSingleton<SnsMessageVerifier>();
        services.AddSingleton<SnsSubscriptionConfirmer>();
        services.AddSingleton<SnsDeliveryHandler>();

        // Ledger
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.Section))
            .PostConfigure(ledger =>
            {
                // The Functions host's own storage is the default store: its connection string, or its identity-based
                // endpoint setting (AzureWebJobsStorage__tableServiceUri).
                if (string.IsNullOrEmpty(ledger.ConnectionString) && string.IsNullOrEmpty(ledger.TableEndpoint))
                {
                    ledger.ConnectionString = configuration["AzureWebJobsStorage"] is { Length: > 0 } storage ? storage : null;
                    ledger.TableEndpoint = ledger.ConnectionString is null ? configuration["AzureWebJobsStorage:tableServiceUri"] : null;
                }

                ledger.Provider ??= string.IsNullOrEmpty(ledger.ConnectionString) && string.IsNullOrEmpty(ledger.TableEndpoint)
                    ? LedgerProvider.Memory
                    : LedgerProvider.Table;
            })
            .ValidateDataAnnotations()
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table ||
                    !string.IsNullOrEmpty(ledger.ConnectionString) || !string.IsNullOrEmpty(ledger.TableEndpoint),
                "Ledger:Provider is Table, but none of Ledger:ConnectionString, AzureWebJobsStorage or Ledger:TableEndpoint is set.")
            .Validate(
                static ledger => string.IsNullOrEmpty(ledger.ConnectionString) || string.IsNullOrEmpty(ledger.TableEndpoint),
                "Set Ledger:ConnectionString or Ledger:TableEndpoint, not both.")
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table || string.IsNullOrEmpty(ledger.ConnectionString) ||
                    TableNotificationLedger.IsConnectionString(ledger.ConnectionString),
                "Ledger:ConnectionString (or AzureWebJobsStorage, its fallback) is not a valid Azure Storage connection string.")
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table || string.IsNullOrEmpty(ledger.TableEndpoint) ||
                    (Uri.TryCreate(ledger.TableEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme == Uri.UriSchemeHttps),
                "Ledger:TableEndpoint (or AzureWebJobsStorage:tableServiceUri) must be an absolute https URI: managed identity tokens are sent only over TLS.")
            .Validate(
                static ledger => !string.Equals(ledger.TableName, "tables", StringComparison.OrdinalIgnoreCase),
                "Ledger:TableName 'tables' is reserved by Table Storage.")
            .ValidateOnStart();
        services.AddSingleton<TableNotificationLedger>();
        services.AddSingleton<MemoryNotificationLedger>();
        services.AddSingleton<INotificationLedger>(static provider =>
            provider.GetRequiredService<IOptions<LedgerOptions>>().Value.Provider == LedgerProvider.Table
                ? provider.GetRequiredService<TableNotificationLedger>()
                : provider.GetRequiredService<MemoryNotificationLedger>());
        services.AddSingleton<IChangeCoverage>(static provider =>
            provider.GetRequiredService<IOptions<LedgerOptions>>().Value.Provider == LedgerProvider.Table
                ? ActivatorUtilities.CreateInstance<TableChangeCoverage>(provider)
                : ActivatorUtilities.CreateInstance<MemoryChangeCoverage>(provider));
        services.AddGroupDirectory();
        services.AddHostedService<LedgerTableStartup>();
        services.AddSingleton<LedgerPurger>();

        // E-mail rendering and senders
        services.AddOptions<EmailOptions>()
            .Bind(configuration.GetSection(EmailOptions.Section))
            .ValidateDataAnnotations()
            .Validate(static o => o.Provider != EmailProvider.Ses || !string.IsNullOrWhiteSpace(o.From),
                "Email:From is required when Email:Provider is Ses")
            .Validate(static o => o.Provider != EmailProvider.Acs || !string.IsNullOrWhiteSpace(o.From),
                "Email:From is required when Email:Provider is Acs")
            .Validate(static o => string.IsNullOrWhiteSpace(o.From) || EmailAddressSyntax.IsPlainAddress(o.From),
                "Email:From must be a plain address such as sg-alerts@example.com (no display name)")
            .Validate(static o => o.Provider != EmailProvider.Outbox || !string.IsNullOrWhiteSpace(o.Outbox.Directory),
                "Email:Outbox:Directory must not be empty when Email:Provider is Outbox")
            .Validate(static o => o.Provider != EmailProvider.Ses || SesEmailSender.IsSesRegion(o.Ses.Region),
                "Email:Ses:Region is required when Email:Provider is Ses and must be a region where SES exists, such as eu-west-1 (not cn-*, not an isolated partition)")
            .Validate(static o => string.IsNullOrEmpty(o.Ses.AccessKeyId) == string.IsNullOrEmpty(o.Ses.SecretAccessKey),
                "Email:Ses:AccessKeyId and Email:Ses:SecretAccessKey must be set together (or neither, for the default AWS credential chain)")
            .Validate(static o => string.IsNullOrEmpty(o.Ses.SessionToken) || !string.IsNullOrEmpty(o.Ses.AccessKeyId),
                "Email:Ses:SessionToken needs Email:Ses:AccessKeyId and Email:Ses:SecretAccessKey (a temporary key is all three)")
            .Validate(static o => string.IsNullOrEmpty(o.Ses.SessionToken) || (o.Ses.SessionToken.Trim() == o.Ses.SessionToken && !o.Ses.SessionToken.Any(char.IsControl)),
                "Email:Ses:SessionToken must be the token as issued: no spaces around it, no line breaks")
            .Validate(static o => o.Ses.ServiceUrl is null || IsHttpUrl(o.Ses.ServiceUrl),
                "Email:Ses:ServiceUrl must be an absolute http(s) URL")
            .Validate(static o => o.Provider != EmailProvider.Acs || !string.IsNullOrWhiteSpace(o.Acs.ConnectionString) || o.Acs.Endpoint is not null,
                "Email:Acs:ConnectionString or Email:Acs:Endpoint is required when Email:Provider is Acs")
            .Validate(static o => string.IsNullOrWhiteSpace(o.Acs.ConnectionString) || AcsConnectionString.TryParse(o.Acs.ConnectionString, out _),
                "Email:Acs:ConnectionString must look like endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>")
            .Validate(static o => o.Acs.Endpoint is null || IsHttpUrl(o.Acs.Endpoint),
                "Email:Acs:Endpoint must be an absolute https URL")
            .Validate(static o => o.Acs.PollBudget >= TimeSpan.Zero && o.Acs.PollBudget <= TimeSpan.FromSeconds(10),
                "Email:Acs:PollBudget must be between 00:00:00 and 00:00:10")
            .Validate(static o => o.Retry.MaxRetries is >= 0 and <= 5,
                "Email:Retry:MaxRetries must be between 0 and 5")
            .Validate(static o => o.Retry.AttemptTimeout > TimeSpan.Zero && o.Retry.TotalTimeout >= o.Retry.AttemptTimeout &&
                                  o.Retry.TotalTimeout <= TimeSpan.FromSeconds(12),
                "Email:Retry:TotalTimeout must be at least Email:Retry:AttemptTimeout and at most 00:00:12 (SNS waits about 15 s)")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailTemplateValidation>();
        services.AddSingleton(static sp =>
            new EmailRenderer(EmailTemplateValidation.EmailRendererSettingsFor(
                sp.GetRequiredService<IOptions<EmailOptions>>().Value, sp.GetRequiredService<IOptions<NotifyOptions>>().Value)));
        services.AddSingleton<OutboxEmailSender>();
        services.AddSingleton<SesEmailSender>();
        services.AddSingleton<AcsEmailSender>();
        services.AddSingleton<IEmailSender>(static sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Provider switch
        {
            EmailProvider.Ses => sp.GetRequiredService<SesEmailSender>(),
            EmailProvider.Acs => sp.GetRequiredService<AcsEmailSender>(),
            _ => sp.GetRequiredService<OutboxEmailSender>(),
        });
        AddEmailResilience(services.AddHttpClient(SesEmailSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static sp =>
                SesEmailSender.CreateSigningHandler(sp.GetRequiredService<IOptions<EmailOptions>>().Value)));
        AddEmailResilience(services.AddHttpClient(AcsEmailSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectTimeout = sp.GetRequiredService<IOptions<EmailOptions>>().Value.Retry.AttemptTimeout,
            }));

        // Config, diff and routing
        services.AddOptions<NotifyOptions>()
            .Bind(configuration.GetSection(NotifyOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.AllowedRecipientDomains is { Count: > 0 } || development,
                "Notify:AllowedRecipientDomains is empty: list the domains owner tags may send mail to (or '*' for any domain)")
            .ValidateOnStart();
        services.AddOptions<AwsOptions>().Bind(configuration.GetSection(AwsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AwsCredentialCache>();
        services.AddSingleton<AwsClients>();
        services.AddSingleton<OversizedConfigurationItemFetcher>();
        services.AddSingleton<Ec2SecurityGroupLookup>();
        // Sources: Config and CloudTrail, behind the one switch (Notify:Sources)
        services.AddSingleton<ConfigChangeSource>();
        services.AddSingleton<CloudTrailChangeSource>();
        services.AddSingleton<ChangeSources>();

        // Actors: CloudTrail LookupEvents, signed per request; no retries here (the lookup has its own budget).
        services.AddHttpClient(CloudTrailLookupEventsClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<CloudTrailLookupEventsClient>();
        services.AddSingleton<CloudTrailActorResolver>();

        // The pipeline: verified change → one e-mail, exactly once
        services.AddSingleton<ChangeNotifier>();

        // GET /api/health in both hosts
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<HealthProbe>(sp, environmentName));

        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(static d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static bool IsHttpUrl(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    // Retries sit outside the SigV4 handler so every attempt is signed afresh. Only what the provider cannot have taken
    // is retried (EmailRetry: never connected, or 429/503), honouring Retry-After when it fits in the request's budget.
    // There is no per-attempt timeout: a POST that went out waits for its answer up to the total budget, because
    // abandoning and repeating it could send the mail twice. Email:Retry:AttemptTimeout bounds connecting instead.
    private static void AddEmailResilience(IHttpClientBuilder builder)
    {
        builder.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddHttpMessageHandler(static sp =>
            new EmailDeadlineHandler(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<EmailOptions>>()));
        builder.AddResilienceHandler("email", static (pipeline, context) =>
        {
            var retry = context.ServiceProvider.GetRequiredService<IOptions<EmailOptions>>().Value.Retry;
            var clock = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddTimeout(retry.TotalTimeout);
            if (retry.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = retry.MaxRetries,
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(EmailRetry.MayRetry(
                        args.Context.GetRequestMessage(), args.Outcome.Result, args.Outcome.Exception, args.AttemptNumber, clock.GetUtcNow())),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(EmailRetry.Delay(args.Outcome.Result, args.AttemptNumber, clock.GetUtcNow())),
                });
            }
        });
    }
}
