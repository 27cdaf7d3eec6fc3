namespace SgNotifier.Cli;

/// <summary>A usage or input problem: printed on stderr, exit code 1.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
