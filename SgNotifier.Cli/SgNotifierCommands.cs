using System.CommandLine;
using System.Globalization;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using SgNotifier.Cli.Replay;
using SgNotifier.Core;
using SgNotifier.Core.Email;
using SgNotifier.Core.Sns;

namespace SgNotifier.Cli;

/// <summary>The <c>sgnotifier</c> commands: thin shells over the app's own composition (<c>AddSgNotifier</c>).</summary>
internal static class SgNotifierCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("SgNotifier: preview captured SNS / AWS Config messages, serve the endpoint locally, send a test mail.");
        root.Subcommands.Add(Preview());
        root.Subcommands.Add(Serve());
        root.Subcommands.Add(SendTest());
        root.Subcommands.Add(Replay());
        return root;
    }

    private static Option<FileInfo?> SettingsOption() => new("--settings")
    {
        Description = "JSON file with the app settings ({\"Sns\": {...}, \"Notify\": {...}, \"Email\": {...}})",
    };

    private static Option<DirectoryInfo?> CertDirOption() => new("--cert-dir")
    {
        Description = "read signing certificates from this folder (file named like the SigningCertURL's last segment) instead of downloading them; every URL rule still applies",
    };

    private static DirectoryInfo? CertificateDirectory(DirectoryInfo? directory) =>
        directory is { Exists: false } ? throw new CliUsageException("certificate folder not found: " + directory.FullName) : directory;

    /// <summary>Offline replays: the signing certificate comes from a folder; the signature is still verified against it.</summary>
    private static void UseCertificateDirectory(IServiceCollection services, DirectoryInfo? directory)
    {
        if (directory is not null)
        {
            services.AddHttpClient(SigningCertificateCache.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => new CertificateDirectoryHandler(directory.FullName));
        }
    }

    private static Command Preview()
    {
        var file = new Argument<FileInfo>("file") { Description = "an SNS HTTP body or a bare AWS Config message (JSON)" };
        var settings = SettingsOption();
        var certDir = CertDirOption();
        var now = new Option<string?>("--now") { Description = "the clock (ISO-8601) for the timestamp window and certificate validity" };
        var json = new Option<bool>("--json") { Description = "print exactly one JSON object (the stable preview contract)" };
        var command = new Command("preview", "Run the whole pipeline on one captured input without sending mail or touching the ledger.")
        {
            file, settings, certDir, now, json,
        };
        command.SetAction((parse, cancellationToken) => Run(parse, async () =>
        {
            var input = parse.GetValue(file)!;
            if (!input.Exists)
            {
                throw new CliUsageException("input file not found: " + input.FullName);
            }

            DateTimeOffset? clock = parse.GetValue(now) is { } text ? ParseNow(text) : null;
            var directory = CertificateDirectory(parse.GetValue(certDir));

            var configuration = new ConfigurationBuilder().AddSettings(parse.GetValue(settings), environment: false).Build();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.None));
            if (clock is { } instant)
            {
                services.AddSingleton<TimeProvider>(new FixedTimeProvider(instant));
            }

            services.AddSgNotifier(configuration, CliHost.EnvironmentName);
            UseCertificateDirectory(services, directory);

            await using var provider = services.BuildServiceProvider();
            Validate(provider);
            await using var stream = input.OpenRead();
            var result = await provider.GetRequiredService<SnsDeliveryHandler>().PreviewAsync(stream, cancellationToken);
            Console.Out.Write(parse.GetValue(json) ? DeliveryReport.ToJson(result) + Environment.NewLine : DeliveryReport.ToText(result));
            return 0;
        }));
        return command;
    }

    private static Command Serve()
    {
        var urls = new Option<string>("--urls") { Description = "where to listen", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var settings = SettingsOption();
        var certDir = CertDirOption();
        var command = new Command("serve", "Host the SNS endpoint (POST /api/sns) on Kestrel with the app's composition, senders and ledger.")
        {
            urls, settings, certDir,
        };
        command.SetAction((parse, cancellationToken) => Run(parse, async () =>
        {
            var directory = CertificateDirectory(parse.GetValue(certDir));
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = CliHost.EnvironmentName });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(ServeLogging.Defaults);
            builder.Configuration.AddSettings(parse.GetValue(settings), environment: true);
            builder.WebHost.UseUrls(parse.GetValue(urls)!);
            builder.Services.AddSgNotifier(builder.Configuration, builder.Environment.EnvironmentName);
            UseCertificateDirectory(builder.Services, directory);
            await using var app = builder.Build();
            app.Lifetime.ApplicationStarted.Register(() => ServeWelcome.Log(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SgNotifier.Cli.Serve"),
                app.Services.GetRequiredService<IServer>(),
                app.Services.GetRequiredService<IOptions<SnsOptions>>().Value,
                app.Services.GetRequiredService<IOptions<EmailOptions>>().Value));
            app.MapGet("/", () => Results.Text("SgNotifier is running. POST SNS messages to /api/sns.\n"));
            app.MapGet("/api/health", async (HealthProbe probe, CancellationToken requestAborted) =>
            {
                var report = await probe.CheckAsync(requestAborted);
                return Results.Content(report.ToJson(), "application/json; charset=utf-8", null, report.HttpStatus);
            });
            app.MapPost("/api/sns", async (HttpRequest request, SnsDeliveryHandler handler, ILogger<SnsDeliveryHandler> logger, CancellationToken requestAborted) =>
            {
                try
                {
                    var headers = SnsRequestHeaders.From(name => request.Headers[name].ToString(), request.ContentLength);
                    var result = await handler.HandleAsync(request.Body, headers, requestAborted);
                    return Results.Content(result.ToResponseBody(), "application/json; charset=utf-8", null, result.HttpStatus);
                }
                catch (Exception exception) when (!requestAborted.IsCancellationRequested)
                {
                    // Same contract as the Functions host: a bug answers a bare 500.
                    logger.LogError(exception, "Unexpected failure handling an SNS delivery");
                    return Results.StatusCode(StatusCodes.Status500InternalServerError);
                }
            });
            await app.RunAsync(cancellationToken);
            return 0;
        }));
        return command;
    }

    private static Command SendTest()
    {
        var to = new Option<string>("--to") { Description = "the address to send the sample mail to", Required = true };
        var settings = SettingsOption();
        var command = new Command("send-test", "Send a sample change mail through the configured provider and print its message id.")
        {
            to, settings,
        };
        command.SetAction((parse, cancellationToken) => Run(parse, async () =>
        {
            var configuration = new ConfigurationBuilder().AddSettings(parse.GetValue(settings), environment: true).Build();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            services.AddSgNotifier(configuration, CliHost.EnvironmentName);
            await using var provider = services.BuildServiceProvider();
            Validate(provider);
            var sent = await provider.GetRequiredService<ChangeNotifier>().SendTestAsync(parse.GetValue(to)!, cancellationToken);
            if (sent.Status != Core.Senders.SendStatus.Sent)
            {
                throw new CliUsageException($"the provider did not accept the mail: {sent.Status} {sent.ErrorCode}: {sent.Detail}");
            }

            Console.Out.WriteLine(sent.ProviderMessageId);
            return 0;
        }));
        return command;
    }

    private static Command Replay()
    {
        var topic = new Option<string>("--topic-arn") { Description = "the topic to publish to; must be one of Sns:AllowedTopicArns (never taken from a message)", Required = true };
        var queue = new Option<string?>("--queue-url") { Description = "the subscription's dead-letter queue: entries are received, published and then deleted" };
        var file = new Option<FileInfo?>("--file") { Description = "instead of a queue, a file of dead-letter bodies: `aws sqs receive-message` output, a JSON array or JSON Lines" };
        var max = new Option<int>("--max") { Description = "stop after this many queue entries", DefaultValueFactory = _ => 100 };
        var dryRun = new Option<bool>("--dry-run") { Description = "with --file: check and verify the entries and print what would be published, without publishing (certificates are still downloaded unless --cert-dir)" };
        var snsUrl = new Option<string?>("--sns-url") { Description = "SNS endpoint override (an emulator); default https://sns.<topic region>.amazonaws.com/" };
        var sqsUrl = new Option<string?>("--sqs-url") { Description = "SQS endpoint override (an emulator); default the topic region's" };
        var settings = SettingsOption();
        var certDir = CertDirOption();
        var command = new Command("replay", "Publish the messages of the SNS subscription's dead-letter queue (or a file of them) to the topic again; only entries signed by SNS for that topic.")
        {
            topic, queue, file, max, dryRun, snsUrl, sqsUrl, settings, certDir,
        };
        command.SetAction((parse, cancellationToken) => Run(parse, async () =>
        {
            var (queueUrl, input) = (parse.GetValue(queue), parse.GetValue(file));
            if ((queueUrl is null) == (input is null))
            {
                throw new CliUsageException("give exactly one of --queue-url and --file");
            }

            if (parse.GetValue(dryRun) && input is null)
            {
                throw new CliUsageException("--dry-run needs --file (receiving from a queue would hide its entries)");
            }

            if (parse.GetValue(max) is < 1 or > 10_000)
            {
                throw new CliUsageException("--max must be between 1 and 10000");
            }

            var directory = CertificateDirectory(parse.GetValue(certDir));
            var arn = parse.GetValue(topic)!;
            var configuration = new ConfigurationBuilder().AddSettings(parse.GetValue(settings), environment: true).Build();
            var allowed = configuration.GetSection(SnsOptions.Section).GetSection(nameof(SnsOptions.AllowedTopicArns)).Get<string[]>() ?? [];
            if (!TopicArn.TryParse(arn, out var topicArn) || !allowed.Contains(arn, StringComparer.Ordinal))
            {
                throw new CliUsageException("--topic-arn must be an SNS topic ARN listed in Sns:AllowedTopicArns: " + arn);
            }

            var snsEndpoint = Endpoint(parse.GetValue(snsUrl), "--sns-url");
            var sqsEndpoint = Endpoint(parse.GetValue(sqsUrl), "--sqs-url");

            // The app's own verifier (allow-list, certificate pin, signature, certificate validity), whatever
            // Sns:VerifySignatures says: SNS signs what is published, so an entry not signed by SNS must not get through.
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.None));
            services.AddSgNotifier(configuration, CliHost.EnvironmentName);
            UseCertificateDirectory(services, directory);
            await using var provider = services.BuildServiceProvider();
            SnsMessageVerifier verifier;
            try
            {
                verifier = provider.GetRequiredService<SnsMessageVerifier>();
            }
            catch (OptionsValidationException exception)
            {
                throw new CliUsageException("invalid settings: " + exception.Message);
            }

            using var publisher = parse.GetValue(dryRun) ? null : new SnsTopicPublisher(topicArn, snsEndpoint ?? SnsTopicPublisher.EndpointFor(topicArn));
            var replayer = new DeadLetterReplayer(publisher, verifier, arn, Console.Out, Console.Error);
            if (input is not null)
            {
                if (!input.Exists)
                {
                    throw new CliUsageException("input file not found: " + input.FullName);
                }

                await replayer.ReplayFileAsync(DeadLetterFile.Read(await File.ReadAllTextAsync(input.FullName, cancellationToken)), cancellationToken);
            }
            else
            {
                var config = new AmazonSQSConfig { MaxErrorRetry = 2, Timeout = TimeSpan.FromSeconds(20) };
                if (sqsEndpoint is not null)
                {
                    config.ServiceURL = sqsEndpoint.ToString();
                    config.AuthenticationRegion = topicArn.Region;
                }
                else
                {
                    config.RegionEndpoint = RegionEndpoint.GetBySystemName(topicArn.Region);
                }

                using var sqs = new AmazonSQSClient(config);
                try
                {
                    await replayer.ReplayQueueAsync(sqs, queueUrl!, parse.GetValue(max), cancellationToken);
                }
                catch (AmazonServiceException e)
                {
                    throw new CliUsageException($"SQS refused: {(int)e.StatusCode} {e.ErrorCode}; {replayer.Summary()}");
                }
                catch (Exception e) when (e is AmazonClientException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    throw new CliUsageException($"SQS could not be reached ({e.GetType().Name}); {replayer.Summary()}");
                }
            }

            Console.Out.WriteLine(replayer.Summary());
            return replayer.AllReplayed ? 0 : 2;
        }));
        return command;
    }

    private static Uri? Endpoint(string? value, string option) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) ? url
        : throw new CliUsageException(option + " must be an absolute http(s) URL: " + value);

    private static void Validate(IServiceProvider provider)
    {
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException exception)
        {
            throw new CliUsageException("invalid settings: " + exception.Message);
        }
    }

    private static DateTimeOffset ParseNow(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var now)
            ? now
            : throw new CliUsageException("--now is not an ISO-8601 date and time: " + text);

    private static async Task<int> Run(ParseResult parse, Func<Task<int>> action)
    {
        _ = parse;
        try
        {
            return await action();
        }
        catch (Exception exception) when (exception is CliUsageException or IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync("sgnotifier: " + exception.Message);
            return 1;
        }
    }
}
