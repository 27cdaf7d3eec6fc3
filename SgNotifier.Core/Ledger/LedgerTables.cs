using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// The app's Table storage, as the <c>Ledger</c> settings name it: the ledger's table and the group directory's live in
/// the same account, reached the same way (<c>Ledger:ConnectionString</c>, else <c>Ledger:TableEndpoint</c> with
/// <c>DefaultAzureCredential</c>; <c>AzureWebJobsStorage</c> is folded into those at start).
/// </summary>
internal static class LedgerTables
{
    /// <summary>A client with short and few retries: a delivery may make several requests and must answer SNS in ~15 s.</summary>
    public static TableClient CreateClient(LedgerOptions options, string tableName)
    {
        ArgumentNullException.ThrowIfNull(options);
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

        throw new InvalidOperationException("Table storage needs Ledger:ConnectionString, AzureWebJobsStorage or Ledger:TableEndpoint.");
    }

    /// <summary>Failures of storage, the network or the credential, as opposed to bugs; the caller's own cancellation is not one.</summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsStorageFailure(inner, cancellationToken)),
        RequestFailedException or HttpRequestException or IOException or SocketException or TimeoutException => true,
        AuthenticationFailedException or CredentialUnavailableException => true,
        _ => false,
    };
}
