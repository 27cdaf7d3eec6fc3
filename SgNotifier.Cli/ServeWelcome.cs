using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using SgNotifier.Core.Email;
using SgNotifier.Core.Sns;

namespace SgNotifier.Cli;

/// <summary>
/// What <c>serve</c> says once it listens: where to POST, which topics it accepts and whether signatures are checked,
/// where mail goes, and one command to try it — so a newcomer is never left with an endpoint that silently rejects.
/// </summary>
internal static class ServeWelcome
{
    /// <summary>The hand-made sample the walkthrough posts (samples/README.md); its topic is the samples' topic.</summary>
    public const string SampleFile = "samples/sns-rdp-opened.json";

    public static void Log(ILogger logger, IServer server, SnsOptions sns, EmailOptions email)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:7071";
        var endpoint = address.TrimEnd('/') + "/api/sns";
        logger.ServeEndpoint(endpoint);
        if (sns.AllowedTopicArns.Count == 0)
        {
            logger.ServeAcceptsNothing();
        }
        else
        {
            logger.ServeAccepts(sns.AllowedTopicArns.Count, string.Join(", ", sns.AllowedTopicArns),
                sns.VerifySignatures
                    ? "verified (only messages signed by SNS; replay captured ones offline with --cert-dir)"
                    : "NOT verified (Sns:VerifySignatures=false, Development only)");
        }

        logger.ServeMailsTo(email.Provider.ToString(),
            email.Provider == EmailProvider.Outbox ? " to the folder " + Path.GetFullPath(email.Outbox.Directory) : string.Empty);

        // The sample is unsigned: it is accepted only with signatures off and its topic allowed.
        if (!sns.VerifySignatures && sns.AllowedTopicArns.Count > 0)
        {
            logger.ServeTryIt($"curl -s {endpoint} --data-binary @{SampleFile}");
        }
        else
        {
            logger.ServeTryIt("dotnet run --project SgNotifier.Cli -- serve --settings samples/serve-unsigned.json, then "
                + $"curl -s {endpoint} --data-binary @{SampleFile} (samples/README.md)");
        }
    }
}
