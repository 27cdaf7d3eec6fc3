namespace SgNotifier.Core.Sns;

public sealed record CertificateFetchResult(CertificateFetchStatus Status, SigningCertificate? Certificate, string? Detail)
{
    public static CertificateFetchResult Fetched(SigningCertificate certificate) => new(CertificateFetchStatus.Fetched, certificate, null);

    public static CertificateFetchResult Unavailable(string detail) => new(CertificateFetchStatus.Unavailable, null, detail);

    public static CertificateFetchResult Invalid(string detail) => new(CertificateFetchStatus.Invalid, null, detail);
}
