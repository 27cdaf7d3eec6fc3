using System.Diagnostics;
using System.Diagnostics.Metrics;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core;

/// <summary>
/// The <c>SgNotifier</c> meter: what an operator charts and alerts on, exported to Azure Monitor by the Functions app
/// (OpenTelemetry) and readable by any <see cref="MeterListener"/>. Tags are short codes from closed sets — outcome,
/// reason, provider, status — never ids, keys or addresses, so every series stays small (docs/operations.md).
/// </summary>
public sealed class SgNotifierMetrics
{
    public const string MeterName = "SgNotifier";

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _ledgerClaims;
    private readonly Counter<long> _awsLookups;

    /// <param name="meterFactory">Owns the meter: one per service provider, so two hosts in one process (tests) never mix.</param>
    public SgNotifierMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("sgnotifier.deliveries", "{delivery}",
            "SNS deliveries answered, by outcome, reason code and HTTP status");
        _deliveryDuration = meter.CreateHistogram<double>("sgnotifier.delivery.duration", "s",
            "Time from reading an SNS delivery to its answer, by outcome and HTTP status");
        _messages = meter.CreateCounter<long>("sgnotifier.messages", "{message}",
            "Messages handed to a provider, by channel, provider, kind (change or failure-report) and result");
        _ledgerClaims = meter.CreateCounter<long>("sgnotifier.ledger.claims", "{claim}", "Ledger claims before sending, by status");
        _awsLookups = meter.CreateCounter<long>("sgnotifier.aws.lookups", "{lookup}",
            "AWS reads of oversized changes (S3 GetObject, EC2 DescribeSecurityGroups), by operation and result");
    }

    /// <summary>A monotonic start for <see cref="DeliveryAnswered"/>.</summary>
    /// <remarks>
    /// Not <see cref="TimeProvider"/>: this measures real elapsed time (I/O included), which a fake clock in tests
    /// would report as zero; no decision depends on it.
    /// </remarks>
    public static long StartTimestamp() => Stopwatch.GetTimestamp();

    public void DeliveryAnswered(DeliveryResult result, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = new KeyValuePair<string, object?>("outcome", result.OutcomeName);
        var status = new KeyValuePair<string, object?>("status", result.HttpStatus);
        _deliveries.Add(1, outcome, new KeyValuePair<string, object?>("reason", result.Reason), status);
        _deliveryDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, outcome, status);
    }

    /// <param name="kind"><c>change</c> (the owners' mail) or <c>failure-report</c> (to the fallback recipients).</param>
    public void MessageSent(string provider, string kind, SendStatus result) =>
        _messages.Add(1,
            new KeyValuePair<string, object?>("channel", "email"),
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("result", result switch
            {
                SendStatus.Sent => "sent",
                SendStatus.Transient => "transient",
                _ => "permanent",
            }));

    public void LedgerClaimed(LedgerClaimStatus status) =>
        _ledgerClaims.Add(1, new KeyValuePair<string, object?>("status", status switch
        {
            LedgerClaimStatus.Claimed => "claimed",
            LedgerClaimStatus.AlreadySent => "already-sent",
            LedgerClaimStatus.AlreadyRejected => "already-rejected",
            LedgerClaimStatus.InProgress => "in-progress",
            _ => "unavailable",
        }));

    /// <param name="operation"><c>s3:GetObject</c> or <c>ec2:DescribeSecurityGroups</c>: the IAM action it needs.</param>
    public void AwsLookedUp(string operation, AwsLookupStatus result) =>
        _awsLookups.Add(1,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("result", result switch
            {
                AwsLookupStatus.Found => "found",
                AwsLookupStatus.TransientFailure => "transient",
                _ => "permanent",
            }));
}
