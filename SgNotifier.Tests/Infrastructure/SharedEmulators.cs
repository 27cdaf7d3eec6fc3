namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// The emulators shared by all tests of a run. <c>.ci/run</c> starts them and exports
/// <c>SGNOTIFIER_SES_URL</c> and <c>SGNOTIFIER_TABLE_CONNECTION</c>; when those are unset (a plain
/// <c>dotnet test</c>), the first test that needs one starts it on a free loopback port.
/// Tests sharing them must not clear their state: each test uses its own table names and recipients.
/// </summary>
public static class SharedEmulators
{
    private static readonly Lazy<Task<Uri>> LazySes = new(StartSesAsync);
    private static readonly Lazy<Task<string>> LazyTable = new(StartTableAsync);
    private static readonly List<EmulatorProcess> Started = [];

    public static Task<Uri> SesUrlAsync() => LazySes.Value;

    public static Task<string> TableConnectionStringAsync() => LazyTable.Value;

    private static async Task<Uri> StartSesAsync()
    {
        var configured = Environment.GetEnvironmentVariable("SGNOTIFIER_SES_URL");
        if (!string.IsNullOrEmpty(configured))
        {
            return new Uri(configured);
        }

        var ses = await EmulatorProcess.StartSesAsync();
        Track(ses);
        return ses.BaseUri;
    }

    private static async Task<string> StartTableAsync()
    {
        var configured = Environment.GetEnvironmentVariable("SGNOTIFIER_TABLE_CONNECTION");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        Track(azurite);
        return azurite.TableConnectionString;
    }

    private static void Track(EmulatorProcess emulator)
    {
        lock (Started)
        {
            if (Started.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
                {
                    lock (Started)
                    {
                        foreach (var e in Started)
                        {
                            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
                        }
                    }
                };
            }

            Started.Add(emulator);
        }
    }
}
