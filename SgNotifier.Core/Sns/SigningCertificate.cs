using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SgNotifier.Core.Sns;

/// <summary>
/// A downloaded SNS signing certificate with its RSA key parsed once: <c>GetRSAPublicKey()</c> per message costs
/// 6–9× the verification itself (REFERENCE.md §2.5).
/// </summary>
public sealed class SigningCertificate : IDisposable
{
    public SigningCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
        PublicKey = certificate.GetRSAPublicKey() ?? throw new CryptographicException("the certificate has no RSA key");
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }

    public X509Certificate2 Certificate { get; }

    public RSA PublicKey { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Parses one PEM certificate; null when the bytes are not one.</summary>
    public static SigningCertificate? TryParse(ReadOnlySpan<byte> pem)
    {
        X509Certificate2? certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(pem);
            return new SigningCertificate(certificate);
        }
        catch (CryptographicException)
        {
            certificate?.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        PublicKey.Dispose();
        Certificate.Dispose();
    }
}
