using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace SgNotifier.Core.Ledger;

/// <summary>What every user of the ledger's table shares: one way to reach it, one view of what a storage failure is.</summary>
internal static class LedgerTable
{
    // Diagnostic copies of AWS text are cut to stay well inside the 64 KiB property limit.
    public const int MaxStoredTextLength = 1024;

    public static TableClient CreateClient(LedgerOptions options) => CreateClient(options, options?.TableName!);

    /// <summary>A client of <paramref name="tableName"/> in the ledger's storage account (the group directory's table).</summary>
    public static TableClient CreateClient(LedgerOptions options, string tableName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(tableName);

        // Short and few retries: a claim may take several requests and the whole delivery must answer SNS in ~15 s.
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
        if (!string.IsNullOrEmpty(options.ConnectionString))
        {
            return new TableClient(options.ConnectionString, tableName, clientOptions);
        }

        if (!string.IsNullOrEmpty(options.TableEndpoint))
        {
            return new TableClient(new Uri(options.TableEndpoint), tableName, new DefaultAzureCredential(), clientOptions);
        }

        throw new InvalidOperationException("The table ledger needs Ledger:ConnectionString, AzureWebJobsStorage or Ledger:TableEndpoint.");
    }

    /// <summary>
    /// Failures of storage, the network or the credential, as opposed to bugs. Refusals (403, 400) are included: an
    /// unrecorded mail must never be sent, so the caller answers 503 and the log says what to fix.
    /// </summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsStorageFailure(inner, cancellationToken)),
        RequestFailedException or HttpRequestException or IOException or SocketException or TimeoutException => true,
        AuthenticationFailedException or CredentialUnavailableException => true,
        _ => false,
    };

    /// <summary>The storage status and error code of a failure, for logs (never a connection string).</summary>
    public static (int Status, string? ErrorCode) Describe(Exception exception)
    {
        var failed = exception as RequestFailedException ??
            (exception as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().LastOrDefault();
        return (failed?.Status ?? 0, failed?.ErrorCode);
    }

    /// <summary>Keeps a diagnostic copy of AWS text storable: control characters replaced, length capped.</summary>
    public static string? Stored(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var capped = text.Length > MaxStoredTextLength ? text[..MaxStoredTextLength] : text;
        return string.Create(capped.Length, capped, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }
}
