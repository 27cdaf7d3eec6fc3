namespace SgNotifier.Benchmarks.Composition;

/// <summary>A clock stopped at one instant, so a signed <c>Timestamp</c> stays inside the window for the whole run.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
