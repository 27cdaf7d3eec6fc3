using System.Diagnostics;

namespace SgNotifier.Benchmarks;

/// <summary>Runs a case for a fixed time before BenchmarkDotNet's own warm-up, so tiered JIT has promoted its code.</summary>
internal static class Warm
{
    public static void For(TimeSpan duration, Action run)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            run();
        }
    }
}
