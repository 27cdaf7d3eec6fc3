using System.Text.Json;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// Reads what aws-ses-v2-local accepted (<c>GET /store</c>). The store is shared by every test and never cleared:
/// tests count only the mails addressed to their own unique recipients.
/// </summary>
public static class SesStore
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>How many accepted mails list <paramref name="recipient"/> among their To addresses.</summary>
    public static async Task<int> MailsToAsync(Uri ses, string recipient)
    {
        var counts = await MailsPerRecipientAsync(ses);
        return counts.GetValueOrDefault(recipient);
    }

    /// <summary>The subject and text body of every accepted mail that lists <paramref name="recipient"/> among its To addresses, in order.</summary>
    public static async Task<IReadOnlyList<(string Subject, string Text)>> MailsListingAsync(Uri ses, string recipient)
    {
        using var store = JsonDocument.Parse(await Http.GetStringAsync(new Uri(ses, "/store")));
        var mails = new List<(string, string)>();
        foreach (var mail in store.RootElement.GetProperty("emails").EnumerateArray())
        {
            if (mail.GetProperty("destination").GetProperty("to").EnumerateArray().Any(to => string.Equals(to.GetString(), recipient, StringComparison.OrdinalIgnoreCase)))
            {
                var body = mail.GetProperty("body");
                mails.Add((mail.GetProperty("subject").GetString() ?? string.Empty,
                    body.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty : string.Empty));
            }
        }

        return mails;
    }

    /// <summary>Every To address in the store with the number of accepted mails that list it.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> MailsPerRecipientAsync(Uri ses)
    {
        using var store = JsonDocument.Parse(await Http.GetStringAsync(new Uri(ses, "/store")));
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var mail in store.RootElement.GetProperty("emails").EnumerateArray())
        {
            foreach (var to in mail.GetProperty("destination").GetProperty("to").EnumerateArray())
            {
                var address = to.GetString() ?? string.Empty;
                counts[address] = counts.GetValueOrDefault(address) + 1;
            }
        }

        return counts;
    }
}
