namespace SgNotifier.Core.Sources.Config;

/// <summary>Thrown inside <see cref="ConfigMessageParser"/> only, and turned into a <see cref="ConfigMessageKind.Malformed"/> message there.</summary>
internal sealed class ConfigFormatException : Exception
{
    public ConfigFormatException()
    {
    }

    public ConfigFormatException(string message)
        : base(message)
    {
    }

    public ConfigFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
