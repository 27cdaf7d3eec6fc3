using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Creates a table of the app's storage once per process, on first use, and again after it was found missing: the
/// ledger's and the group directory's tables share this. An identity allowed to use entities but not to create
/// tables (the deployment created them) goes on; a missing table then surfaces as TableNotFound on use.
/// </summary>
internal sealed class TableReadiness : IDisposable
{
    private readonly TableClient _table;
    private readonly Action _ready;
    private readonly Action<int> _creationForbidden;
    private readonly SemaphoreSlim _creation = new(1, 1);
    private volatile bool _isReady;

    /// <param name="ready">Logs that the table exists.</param>
    /// <param name="creationForbidden">Logs that creating it was refused (the HTTP status).</param>
    public TableReadiness(TableClient table, Action ready, Action<int> creationForbidden)
    {
        _table = table ?? throw new ArgumentNullException(nameof(table));
        _ready = ready ?? throw new ArgumentNullException(nameof(ready));
        _creationForbidden = creationForbidden ?? throw new ArgumentNullException(nameof(creationForbidden));
    }

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_isReady)
        {
            return;
        }

        await _creation.WaitAsync(cancellationToken);
        try
        {
            if (_isReady)
            {
                return;
            }

            try
            {
                await _table.CreateIfNotExistsAsync(cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 403)
            {
                _creationForbidden(e.Status);
            }

            _isReady = true;
            _ready();
        }
        finally
        {
            _creation.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the table, created first if need be; a table found missing (deleted, or an
    /// emulator restarted without persistence) is created again and the action run once more.
    /// </summary>
    /// <param name="missing">Logs that the table was found missing.</param>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, Action missing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(missing);
        await EnsureAsync(cancellationToken);
        try
        {
            return await action(cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == TableErrorCode.TableNotFound)
        {
            missing();
            _isReady = false;
            await EnsureAsync(cancellationToken);
            return await action(cancellationToken);
        }
    }

    public void Dispose() => _creation.Dispose();
}
