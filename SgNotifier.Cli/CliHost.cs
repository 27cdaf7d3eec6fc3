using System.Globalization;
using SgNotifier.Core;

namespace SgNotifier.Cli;

/// <summary>How every command builds its configuration and environment, the way the Functions app does.</summary>
internal static class CliHost
{
    /// <summary>
    /// The environment name: <c>DOTNET_ENVIRONMENT</c>, else <c>AZURE_FUNCTIONS_ENVIRONMENT</c>, else Development —
    /// the CLI is a local tool, like <c>func start</c> with local.settings.json.
    /// </summary>
    public static string EnvironmentName =>
        NonEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
        ?? NonEmpty(Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT"))
        ?? SgNotifierServiceCollectionExtensions.DevelopmentEnvironment;

    /// <summary>The <c>--settings</c> JSON file (same keys as the app settings), then environment variables.</summary>
    public static IConfigurationBuilder AddSettings(this IConfigurationBuilder builder, FileInfo? settings, bool environment)
    {
        if (settings is not null)
        {
            if (!settings.Exists)
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"settings file not found: {settings.FullName}"));
            }

            builder.AddJsonFile(settings.FullName, optional: false, reloadOnChange: false);
        }

        if (environment)
        {
            builder.AddEnvironmentVariables();
        }

        return builder;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
