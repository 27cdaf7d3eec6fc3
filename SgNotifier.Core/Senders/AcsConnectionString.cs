namespace SgNotifier.Core.Senders;

/// <summary>An ACS connection string, <c>endpoint=https://….communication.azure.com/;accesskey=&lt;base64&gt;</c>.</summary>
public sealed record AcsConnectionString(Uri Endpoint, byte[] AccessKey)
{
    public static bool TryParse(string? value, out AcsConnectionString? result)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        string? endpoint = null;
        string? key = null;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            // The key is Base64 and may end in '=': split at the first '=' only.
            var name = part[..eq].Trim();
            var content = part[(eq + 1)..].Trim();
            if (name.Equals("endpoint", StringComparison.OrdinalIgnoreCase))
            {
                endpoint = content;
            }
            else if (name.Equals("accesskey", StringComparison.OrdinalIgnoreCase))
            {
                key = content;
            }
        }

        if (endpoint is null || key is null ||
            !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return false;
        }

        var bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var written) || written == 0)
        {
            return false;
        }

        result = new AcsConnectionString(uri, bytes[..written]);
        return true;
    }
}
