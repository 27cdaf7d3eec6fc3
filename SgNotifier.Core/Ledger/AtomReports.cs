using System.Globalization;
using System.Text;
using System.Text.Json;
using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// The limits and the stored form of an atom's reports, shared by every <see cref="IChangeCoverage"/> so they keep
/// the same contract. A row must stay far inside Table Storage's 64 KiB property limit whatever AWS sends.
/// </summary>
internal static class AtomReports
{
    /// <summary>Newest reports kept per atom: the window is minutes, so older ones no longer cover anything.</summary>
    public const int MaxReportsPerAtom = 8;

    public const int MaxEventIds = 5;

    /// <summary>CloudTrail event ids are GUIDs and Config state ids numbers; anything longer is cut.</summary>
    public const int MaxEventIdLength = 128;

    /// <summary>Atoms read or recorded per call; beyond it the rest count as uncovered (a change of hundreds of rules).</summary>
    public const int MaxAtomsPerCall = 256;

    /// <summary>The atoms a call works on: distinct, in the caller's order, at most <see cref="MaxAtomsPerCall"/>.</summary>
    public static List<string> Select(IReadOnlyCollection<string> atoms, out int requested)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var distinct = atoms.Where(static a => !string.IsNullOrEmpty(a)).Distinct(StringComparer.Ordinal).ToList();
        requested = distinct.Count;
        return distinct.Count > MaxAtomsPerCall ? distinct[..MaxAtomsPerCall] : distinct;
    }

    /// <summary>The report as stored: at most <see cref="MaxEventIds"/> distinct ids of at most <see cref="MaxEventIdLength"/> characters.</summary>
    public static AtomReport Normalize(AtomReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ids = (report.EventIds ?? [])
            .Where(static id => !string.IsNullOrEmpty(id))
            .Select(static id => Printable(id.Length > MaxEventIdLength ? id[..MaxEventIdLength] : id))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxEventIds)
            .ToList();
        return new AtomReport(report.Source, report.Time, ids);
    }

    /// <summary>
    /// <paramref name="existing"/> with <paramref name="added"/> (normalised), newest first and cut to
    /// <see cref="MaxReportsPerAtom"/>; null when that changes nothing (the same report again, or older than all kept).
    /// </summary>
    public static IReadOnlyList<AtomReport>? Merge(IReadOnlyList<AtomReport> existing, AtomReport added)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var report = Normalize(added);
        if (existing.Any(r => SameReport(r, report)))
        {
            return null;
        }

        var merged = existing.Append(report).OrderByDescending(static r => r.Time).Take(MaxReportsPerAtom).ToList();
        return merged.Any(r => ReferenceEquals(r, report)) ? merged : null;
    }

    /// <summary>Control characters and lone surrogates (which JSON writers refuse) become U+FFFD.</summary>
    private static string Printable(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsControl(chars[i]) || char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    public static bool SameReport(AtomReport x, AtomReport y) =>
        x.Source == y.Source && x.Time == y.Time && x.EventIds.SequenceEqual(y.EventIds, StringComparer.Ordinal);

    public static string ToJson(IReadOnlyList<AtomReport> reports)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var report in reports)
            {
                json.WriteStartObject();
                json.WriteString("source", report.Source.Name());
                json.WriteString("time", report.Time.ToString("O", CultureInfo.InvariantCulture));
                json.WriteStartArray("eventIds");
                foreach (var id in report.EventIds)
                {
                    json.WriteStringValue(id);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The reports stored in <paramref name="json"/>, newest first; null when it is not what <see cref="ToJson"/> writes.</summary>
    public static IReadOnlyList<AtomReport>? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var reports = new List<AtomReport>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (Read(element) is not { } report)
                {
                    return null;
                }

                reports.Add(report);
            }

            return reports.OrderByDescending(static r => r.Time).Take(MaxReportsPerAtom).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static AtomReport? Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object ||
            !element.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.String ||
            !element.TryGetProperty("time", out var time) || time.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParseExact(time.GetString(), "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var reported) ||
            !element.TryGetProperty("eventIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        ChangeSource? parsed = source.GetString() switch
        {
            "config" => ChangeSource.Config,
            "cloudtrail" => ChangeSource.CloudTrail,
            _ => null,
        };
        if (parsed is null)
        {
            return null;
        }

        var eventIds = new List<string>();
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            eventIds.Add(id.GetString()!);
        }

        return Normalize(new AtomReport(parsed.Value, reported, eventIds));
    }
}
