namespace SgNotifier.Cli;

/// <summary>The clock of <c>preview --now</c>: the timestamp window and certificate validity are judged at this instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
