namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// The fuzz runs alone, after the parallel tests: it takes every core for its 100,000 cases, and its time (printed,
/// and under a minute on the 2-core CI machine) then means what it says.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}
