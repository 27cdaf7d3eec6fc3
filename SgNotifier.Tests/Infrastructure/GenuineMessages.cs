using System.Text.Json;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>The AWS-signed SNS messages of TestData/Sns/genuine, bytes exactly as AWS sent them.</summary>
public sealed record GenuineMessages(string Name, byte[] Bytes, JsonDocument Json)
{
    public string Timestamp => Json.RootElement.GetProperty("Timestamp").GetString()!;

    public string Type => Json.RootElement.GetProperty("Type").GetString()!;

    public static IEnumerable<GenuineMessages> All() =>
        Directory.EnumerateFiles(RepositoryPaths.TestData("Sns", "genuine"), "*.json").Order(StringComparer.Ordinal).Select(Load);

    public static GenuineMessages Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return new GenuineMessages(Path.GetFileNameWithoutExtension(path), bytes, JsonDocument.Parse(bytes));
    }

    public static GenuineMessages Named(string name) => Load(RepositoryPaths.TestData("Sns", "genuine", name + ".json"));

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var message in All())
        {
            data.Add(message.Name);
        }

        return data;
    }

    /// <summary>The same message with one top-level string field replaced (or added).</summary>
    public byte[] With(string field, string value)
    {
        var fields = Json.RootElement.EnumerateObject().ToDictionary(static p => p.Name, static p => p.Value.Clone());
        var key = fields.Keys.FirstOrDefault(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase)) ?? field;
        fields[key] = JsonSerializer.SerializeToElement(value);
        return JsonSerializer.SerializeToUtf8Bytes(fields);
    }

    public byte[] Without(string field)
    {
        var fields = Json.RootElement.EnumerateObject().Where(p => !string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(static p => p.Name, static p => p.Value.Clone());
        return JsonSerializer.SerializeToUtf8Bytes(fields);
    }
}
