using Microsoft.Extensions.Logging;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Change coverage in process memory, beside <see cref="MemoryNotificationLedger"/>: for single-process local runs
/// only. Thread-safe, and bounded: past <see cref="DefaultCapacity"/> atoms the least recently written is forgotten,
/// which can only cause a second mail, never a missed one.
/// </summary>
public sealed class MemoryChangeCoverage : IChangeCoverage
{
    /// <summary>Atoms kept: about a day of a busy estate's changes, a few MB at most.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Atom, IReadOnlyList<AtomReport> Reports)>> _atoms = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Atom, IReadOnlyList<AtomReport> Reports)> _byLastWrite = new();
    private readonly ILogger<MemoryChangeCoverage> _logger;
    private readonly int _capacity;
    private int _used;

    public MemoryChangeCoverage(ILogger<MemoryChangeCoverage> logger)
        : this(logger, DefaultCapacity)
    {
    }

    internal MemoryChangeCoverage(ILogger<MemoryChangeCoverage> logger, int capacity)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger;
        _capacity = capacity;
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<AtomReport>>?> FindAsync(IReadOnlyCollection<string> atoms, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WarnOnFirstUse();
        var selected = Select("find", atoms);
        var found = new Dictionary<string, IReadOnlyList<AtomReport>>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var atom in selected)
            {
                if (_atoms.TryGetValue(atom, out var node))
                {
                    found[atom] = node.Value.Reports;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<AtomReport>>?>(found);
    }

    public Task RecordAsync(IReadOnlyCollection<string> atoms, AtomReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        cancellationToken.ThrowIfCancellationRequested();
        WarnOnFirstUse();
        var selected = Select("record", atoms);
        lock (_gate)
        {
            foreach (var atom in selected)
            {
                if (!_atoms.TryGetValue(atom, out var node))
                {
                    if (_atoms.Count >= _capacity && _byLastWrite.First is { } oldest)
                    {
                        _atoms.Remove(oldest.Value.Atom);
                        _byLastWrite.RemoveFirst();
                    }

                    _atoms[atom] = _byLastWrite.AddLast((atom, AtomReports.Merge([], report)!));
                }
                else if (AtomReports.Merge(node.Value.Reports, report) is { } merged)
                {
                    _byLastWrite.Remove(node);
                    node.Value = (atom, merged);
                    _byLastWrite.AddLast(node);
                }
            }
        }

        return Task.CompletedTask;
    }

    private List<string> Select(string operation, IReadOnlyCollection<string> atoms)
    {
        var selected = AtomReports.Select(atoms, out var requested);
        if (requested > selected.Count)
        {
            _logger.CoverageAtomsLimited(operation, requested, AtomReports.MaxAtomsPerCall);
        }

        return selected;
    }

    /// <summary>Warns once, when coverage is first used: with Config only (the default) it never is, and says nothing.</summary>
    private void WarnOnFirstUse()
    {
        if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            _logger.MemoryCoverageInUse();
        }
    }
}
