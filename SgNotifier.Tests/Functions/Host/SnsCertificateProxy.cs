using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions.Host;

/// <summary>
/// Lets a worker process verify signed SNS messages offline through its real download path: an HTTPS proxy (HTTP
/// CONNECT, as <c>HTTPS_PROXY</c> makes .NET's HttpClient use) on 127.0.0.1 that terminates TLS for
/// <c>sns.&lt;region&gt;.amazonaws.com</c> with a certificate from a throw-away test CA, and answers the pinned
/// certificate URL with the <see cref="TestSnsSigner"/>'s certificate. The worker trusts the test CA through
/// <c>SSL_CERT_FILE</c>, OpenSSL's trust-store variable, which .NET honours on Linux. Every URL rule, TLS and the
/// signature check in the worker stay as they are in production.
/// </summary>
public sealed class SnsCertificateProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2 _serverCertificate;
    private readonly TestSnsSigner _signer;
    private readonly Task _accepting;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("sgnotifier-sns-proxy-");
    private int _certificatesServed;

    public SnsCertificateProxy(TestSnsSigner signer, string region)
    {
        _signer = signer;
        Host = $"sns.{region}.amazonaws.com";
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=SgNotifier test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=" + Host, serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Host);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var issued = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // Re-imported so the private key is usable by SslStream on every platform.
        _serverCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        TrustedRootsFile = Path.Combine(_folder.FullName, "test-ca.pem");
        File.WriteAllText(TrustedRootsFile, ca.ExportCertificatePem());
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Host { get; }

    public Uri ProxyUri => new("http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));

    /// <summary>A PEM file holding only the test CA: the worker's <c>SSL_CERT_FILE</c>.</summary>
    public string TrustedRootsFile { get; }

    public int CertificatesServed => Volatile.Read(ref _certificatesServed);

    /// <summary>The worker's environment: this proxy for HTTPS, the test CA as its only trusted root.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["HTTPS_PROXY"] = ProxyUri.ToString(),
        ["https_proxy"] = ProxyUri.ToString(),
        ["SSL_CERT_FILE"] = TrustedRootsFile,
        ["SSL_CERT_DIR"] = _folder.FullName,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _serverCertificate.Dispose();
        _stop.Dispose();
        _folder.Delete(recursive: true);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var network = client.GetStream();
                var connect = await ReadHeadAsync(network, timeout.Token);
                if (!connect.StartsWith($"CONNECT {Host}:443 ", StringComparison.Ordinal))
                {
                    // Only the SNS host is answered: anything else the worker tries to reach fails loudly.
                    await network.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), timeout.Token);
                    return;
                }

                await network.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), timeout.Token);
                await using var tls = new SslStream(network);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _serverCertificate }, timeout.Token);
                var request = await ReadHeadAsync(tls, timeout.Token);
                var path = request.Split(' ', 3) is [_, var target, _] ? target : string.Empty;
                if (request.StartsWith("GET ", StringComparison.Ordinal) && path == "/" + _signer.CertificateName)
                {
                    Interlocked.Increment(ref _certificatesServed);
                    await tls.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\nContent-Length: {_signer.CertificatePem.Length}\r\nConnection: close\r\n\r\n"), timeout.Token);
                    await tls.WriteAsync(_signer.CertificatePem, timeout.Token);
                }
                else
                {
                    await tls.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
                }

                await tls.FlushAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
            {
                // the client went away or refused the test CA; it sees a failed download
            }
        }
    }

    /// <summary>The request line and headers, up to the blank line.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16 * 1024 && await stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}
