using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Email;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core;

/// <summary>
/// A verified change in, one e-mail out, exactly once: inspect and route the Config message, render the mail, claim
/// the change in the ledger, send, and record the result. Every transient failure releases the claim and asks SNS
/// to deliver again (503); nothing is sent without a claim.
/// </summary>
public sealed class ChangeNotifier : IDisposable
{
    /// <summary>How long a delivery waits for a send permit under <c>Email:MaxSendsPerSecond</c> before answering 503.</summary>
    private static readonly TimeSpan PermitBudget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a delivery waits, claiming again in between, for another delivery of the same change to finish before
    /// answering 503 <c>in-progress</c>. Two deliveries of one change at once are common in a burst (SNS retries,
    /// Config repeating itself); the other one is usually done in milliseconds, and a 200 <c>duplicate</c> spares SNS
    /// a retry. Short against SNS's 15 s timeout, and a crashed holder still ends in 503 after it.
    /// </summary>
    private static readonly TimeSpan[] InProgressWaits = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(400)];

    private readonly ChangeSources _sources;
    private readonly CloudTrailActorResolver _actors;
    private readonly EmailRenderer _renderer;
    private readonly IEmailSender _sender;
    private readonly INotificationLedger _ledger;
    private readonly IChangeCoverage _coverage;
    private readonly IGroupDirectory _directory;
    private readonly NotifyOptions _notify;
    private readonly bool _remembersGroups;
    private readonly RateLimiter? _sendRate;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ChangeNotifier> _logger;
    private readonly SgNotifierMetrics _metrics;

    public ChangeNotifier(
        ChangeSources sources,
        CloudTrailActorResolver actors,
        EmailRenderer renderer,
        IEmailSender sender,
        INotificationLedger ledger,
        IChangeCoverage coverage,
        IGroupDirectory directory,
        IOptions<NotifyOptions> notify,
        IOptions<EmailOptions> email,
        TimeProvider timeProvider,
        ILogger<ChangeNotifier> logger,
        SgNotifierMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(notify);
        ArgumentNullException.ThrowIfNull(email);
        _sources = sources;
        _actors = actors;
        _renderer = renderer;
        _sender = sender;
        _ledger = ledger;
        _coverage = coverage;
        _directory = directory;
        _notify = notify.Value;
        _remembersGroups = _notify.EffectiveSources.Contains(ChangeSource.CloudTrail);
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        if (email.Value.MaxSendsPerSecond is { } rate and > 0)
        {
            _sendRate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, (int)Math.Ceiling(rate)),
                TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(rate)),
                ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(rate)) / rate),
                QueueLimit = 1_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        if (_notify.AllowedRecipientDomains is not { Count: > 0 } domains)
        {
            logger.AnyRecipientDomain("empty (allowed only in Development)");
        }
        else if (domains.Contains(NotifyOptions.AnyDomain))
        {
            logger.AnyRecipientDomain("'*'");
        }
    }

    /// <summary>
    /// Decides and renders without sending or writing anything (the CLI's preview): the ledger, the coverage rows and
    /// the group directory may be read, never written.
    /// </summary>
    public async Task<DeliveryResult> PreviewAsync(SnsMessage? message, string sourceMessage, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(message, sourceMessage, cancellationToken);
        if (read.Answered is { } answered)
        {
            return answered;
        }

        var results = new List<DeliveryResult>(read.Decisions.Count);
        foreach (var decided in read.Decisions)
        {
            if (decided.Outcome == DecisionOutcome.Ignore)
            {
                results.Add(Ignored(message, decided));
                continue;
            }

            var decision = await WithActorsAsync(decided, cancellationToken);
            if (decision.Actors.Status == ActorStatus.Pending)
            {
                results.Add(new DeliveryResult(DeliveryOutcome.Notify, NotifyReasons.ActorPending, decision.Actors.Detail!, Retry: true, Message: message, Decision: decision));
                continue;
            }

            var (covered, correlated) = await CorrelateAsync(message, decision, AtomsOf(decision), cancellationToken);
            results.Add(covered ?? Rendered(message, correlated));
        }

        return Combined(results);
    }

    /// <summary>
    /// Carries out a verified notification: at most one mail per change and destination, whatever the number of
    /// deliveries, and (with both sources) one mail per change whichever source reports it first. A change that
    /// re-points the owner tag has two destinations (previous and new owners), each claimed, sent and recorded on its
    /// own, so one refused or failed message neither blocks nor repeats the other. A tag call on several groups is one
    /// change per group.
    /// </summary>
    public async Task<DeliveryResult> NotifyAsync(SnsMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var read = await ReadAsync(message, message.Message, cancellationToken);
        if (read.Answered is { } answered)
        {
            return answered;
        }

        var results = new List<DeliveryResult>(read.Decisions.Count);
        foreach (var decision in read.Decisions)
        {
            // The ledger also answers a retry by its SNS MessageId: one message about several groups (a tag call) claims
            // each group under its own delivery id, or the first group's mail would answer for all of them.
            var delivery = read.Decisions.Count > 1 && decision.SecurityGroup is { } group
                ? message with { MessageId = message.MessageId + "/" + group.Id }
                : message;
            results.Add(decision.Outcome == DecisionOutcome.Ignore
                ? Ignored(message, decision)
                : await NotifyChangeAsync(delivery, decision, cancellationToken));
        }

        // The directory learns only from a delivery answered for good: a redelivery after a 503 must still find the
        // group as it was before this change (its previous owners). Only the CloudTrail source reads it, so with
        // Config alone (the default) nothing is written: no Table round trip per delivery for nothing.
        if (_remembersGroups && results.TrueForAll(static r => !r.Retry))
        {
            foreach (var state in read.Observed)
            {
                await _directory.RememberAsync(state, cancellationToken);
            }
        }

        return Combined(results);
    }

    private async Task<DeliveryResult> NotifyChangeAsync(SnsMessage message, ChangeDecision decided, CancellationToken cancellationToken)
    {
        // A redelivery of a change already final for every destination is answered before the actor lookup: it would
        // spend CloudTrail's LookupEvents quota (2 TPS per account and region) on a mail that is not sent again. Without
        // a lookup there is nothing to save, and the claim below gives the same answer without this extra read.
        if (_actors.WillLookUp(decided) && await AlreadyFinalAsync(message, decided, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }

        var decision = await WithActorsAsync(decided, cancellationToken);
        if (decision.Actors.Status == ActorStatus.Pending)
        {
            return new DeliveryResult(DeliveryOutcome.Notify, NotifyReasons.ActorPending, decision.Actors.Detail!, Retry: true, Message: message, Decision: decision);
        }

        var atoms = AtomsOf(decision);
        var (covered, correlated) = await CorrelateAsync(message, decision, atoms, cancellationToken);
        if (covered is not null)
        {
            return covered;
        }

        decision = correlated;
        var preview = Rendered(message, decision);
        var email = preview.Email!;
        var destinations = decision.MailDestinations();
        DeliveryResult result;
        if (destinations.Count == 1)
        {
            result = await SendOnceAsync(preview, message, decision, destinations[0], email, cancellationToken);
        }
        else
        {
            var results = new List<DeliveryResult>(destinations.Count);
            foreach (var destination in destinations)
            {
                results.Add(await SendOnceAsync(preview, message, decision, destination, _renderer.Render(decision, destination), cancellationToken));
            }

            result = Combine(destinations, results, email);
        }

        await RecordCoverageAsync(decision, atoms, result);
        return result;
    }

    /// <summary>The source's reading of the message, routed: one decision per change, or the answer when there is none.</summary>
    private async Task<SourceDecisions> ReadAsync(SnsMessage? message, string sourceMessage, CancellationToken cancellationToken)
    {
        var (source, reading) = await _sources.ReadAsync(sourceMessage, cancellationToken);
        switch (reading)
        {
            case RetryReading retry:
                // No change yet, but the source is known: preview and logs say which one could not be read.
                return new SourceDecisions(AwsUnavailable(message, retry.Problem) with { Decision = ChangeDecision.Ignore(retry.Reason, retry.Problem) with { Source = source } }, [], []);
            case IgnoredReading ignored:
                var decision = ChangeRouter.Decide(ignored, _notify) with { Source = source };
                Log(decision, ignored.Loud && decision.Reason == ignored.Reason);
                return new SourceDecisions(Ignored(message, decision), [], []);
            case ChangesRead read:
                var handledAt = _timeProvider.GetUtcNow();
                var decisions = read.Changes.Select(c => ChangeRouter.Route(c, _notify) with { HandledAt = handledAt, Source = source }).ToList();
                foreach (var routed in decisions)
                {
                    Log(routed, loud: false);
                }

                return new SourceDecisions(null, decisions, read.Observed ?? []);
            default:
                throw new InvalidOperationException("SourceReading is closed.");
        }
    }

    private static DeliveryResult Ignored(SnsMessage? message, ChangeDecision decision) =>
        new(DeliveryOutcome.Ignored, decision.Reason, decision.Detail, Message: message, Decision: decision);

    private DeliveryResult Rendered(SnsMessage? message, ChangeDecision decision) =>
        new(DeliveryOutcome.Notify, decision.Reason, decision.Detail, Message: message, Decision: decision, Email: _renderer.Render(decision));

    /// <summary>The Config actor lookup (<c>Aws:LookupActors</c>); a CloudTrail change already names its actor.</summary>
    private async Task<ChangeDecision> WithActorsAsync(ChangeDecision decision, CancellationToken cancellationToken) =>
        _actors.WillLookUp(decision)
            ? decision.WithActors(await _actors.ResolveAsync(decision, cancellationToken))
            : decision.WithActors(decision.Actors); // names a CloudTrail actor in the "now OFF" line too

    /// <summary>
    /// With both sources on: the answer <c>already-notified</c> when every fact of the change was already mailed from
    /// the other source within the correlation window, else the decision, noting what was already mailed.
    /// </summary>
    private async Task<(DeliveryResult? Covered, ChangeDecision Decision)> CorrelateAsync(
        SnsMessage? message, ChangeDecision decision, IReadOnlyList<string> atoms, CancellationToken cancellationToken)
    {
        if (atoms.Count == 0 || decision.Change is not { } change)
        {
            return (null, decision);
        }

        var found = await _coverage.FindAsync(atoms, cancellationToken);
        if (found is null)
        {
            _logger.CoverageUnreadable(change.Key.ToString());
            return (null, decision);
        }

        var correlation = ChangeCorrelation.Correlate(change, atoms, found, _notify.CorrelationWindowBefore, _notify.CorrelationWindowAfter);
        var reports = correlation.Covering;
        if (correlation.AllCovered)
        {
            var by = reports.Select(static r => r.Source).Distinct().Single();
            var events = string.Join(", ", reports.SelectMany(static r => r.EventIds).Distinct(StringComparer.Ordinal).Take(5));
            _logger.AlreadyNotified(change.Key.ToString(), change.Source.Name(), by.Name(), events);
            var detail = $"Every fact of this change was already mailed from {by.Display()} (event {events}); not mailed again.";
            return (new DeliveryResult(DeliveryOutcome.Ignored, DecisionReasons.AlreadyNotified, detail, Message: message,
                Decision: decision with { Coverage = new CoverageNote(atoms.Count, 0, reports) }), decision);
        }

        if (reports.Count == 0)
        {
            return (null, decision);
        }

        var uncovered = correlation.Uncovered.Count;
        _logger.PartlyCovered(change.Key.ToString(), change.Source.Name(), atoms.Count - uncovered, uncovered);
        return (null, decision with { Coverage = new CoverageNote(atoms.Count - uncovered, uncovered, reports) });
    }

    /// <summary>After a mail left (or may have: uncertain), records which facts it reported, for the other source.</summary>
    private async Task RecordCoverageAsync(ChangeDecision decision, IReadOnlyList<string> atoms, DeliveryResult result)
    {
        if (atoms.Count == 0 || decision.Change is not { Time: { } time } change ||
            result.Reason is not (NotifyReasons.Sent or NotifyReasons.SendUncertain or NotifyReasons.Duplicate or NotifyReasons.AlreadyUncertain) || result.Retry)
        {
            return;
        }

        // A mail that may have missed someone covers nothing, so the other source still mails it: one that went to the
        // fallback recipients because the owners were unknown, or one whose routing tags had a previous value nobody
        // knew (a CreateTags re-pointing OwnerDL on a group never seen: only Config can name the previous owners).
        if (decision.Reason is DecisionReasons.OwnersUnknown or DecisionReasons.OversizedUninspected || change.Tags.UnknownKeys.Count > 0)
        {
            return;
        }

        var ids = change.Source == ChangeSource.CloudTrail ? change.CloudTrailEventIds : [change.Events[0].Id];
        await _coverage.RecordAsync(atoms, new AtomReport(change.Source, time, ids), CancellationToken.None);
    }

    /// <summary>The change's facts for the cross-source check (<see cref="ChangeAtoms"/>); none with one source, which has no other to compare with.</summary>
    private IReadOnlyList<string> AtomsOf(ChangeDecision decision) =>
        _notify.CorrelatesSources && decision.Change is { } change ? ChangeAtoms.Of(change) : [];

    /// <summary>One change's answer, or the combined answer for a call on several groups: the most urgent one first.</summary>
    private static DeliveryResult Combined(List<DeliveryResult> results)
    {
        if (results.Count == 1)
        {
            return results[0];
        }

        var answer = results.MaxBy(static r => Urgency(r))!;
        return answer with
        {
            Detail = answer.Detail + " (" + string.Join("; ", results.Select(static r => $"{r.Decision?.SecurityGroup?.Id ?? "?"}: {r.Reason}")) + ")",
            Others = results.Where(r => !ReferenceEquals(r, answer)).ToList(),
        };
    }

    /// <summary>
    /// The answer the claim path would give when every destination's ledger entry is already final, read without
    /// claiming; null when any destination may still have to be sent (or the ledger could not be read).
    /// </summary>
    private async Task<DeliveryResult?> AlreadyFinalAsync(SnsMessage message, ChangeDecision decision, CancellationToken cancellationToken)
    {
        var destinations = decision.MailDestinations();
        var finals = new List<LedgerClaim>(destinations.Count);
        foreach (var destination in destinations)
        {
            if (await _ledger.PeekFinalAsync(destination.LedgerMessageId(message.MessageId), destination.LedgerChangeKey(decision.Key), cancellationToken) is not { } final)
            {
                return null;
            }

            finals.Add(final);
        }

        var email = _renderer.Render(decision);
        var preview = new DeliveryResult(DeliveryOutcome.Notify, decision.Reason, decision.Detail, Message: message, Decision: decision, Email: email);
        var results = new List<DeliveryResult>(finals.Count);
        foreach (var final in finals)
        {
            _metrics.LedgerClaimed(final.Status);
            results.Add(Answered(preview, final.Status)!);
        }

        return destinations.Count == 1 ? results[0] : Combine(destinations, results, email);
    }

    /// <summary>Logs a routed decision: what was decided, and loudly a group change that reaches nobody.</summary>
    private void Log(ChangeDecision decision, bool loud)
    {
        if (decision.RejectedRecipients.Count > 0)
        {
            _logger.RecipientsRejected(
                decision.Key?.ToString(),
                decision.RejectedRecipients.Count,
                string.Join(", ", decision.RejectedRecipients.Select(static r => r.Reason).Distinct(StringComparer.Ordinal)));
        }

        if (decision.SecurityGroup is null)
        {
            _logger.Ignored(decision.Reason, decision.MessageType, decision.Detail);
            return;
        }

        _logger.Decided(
            decision.Key?.ToString(),
            decision.MessageType,
            decision.Outcome,
            decision.Reason,
            decision.Recipients.Count,
            decision.Added.Count,
            decision.Removed.Count,
            decision.Changed.Count,
            decision.TagChanges.Count,
            decision.IsRisky);

        if (decision.TurnedOff is { } off)
        {
            _logger.NotificationsTurnedOff(decision.Key?.ToString(), decision.SecurityGroup.Id, off.Cause);
        }

        // A group change that reaches nobody although it was meant to: loud, so an operator can fix tags or options.
        if (loud || decision.Reason is DecisionReasons.OversizedNoFallback or DecisionReasons.NoRecipients or DecisionReasons.OwnersUnknownNoFallback)
        {
            _logger.ChangeNotNotified(decision.Key?.ToString(), decision.Reason, decision.Detail);
        }
    }

    /// <param name="Answered">The answer when the message holds no change to route.</param>
    /// <param name="Observed">What the message taught about its groups, for the directory once answered for good.</param>
    private sealed record SourceDecisions(DeliveryResult? Answered, IReadOnlyList<ChangeDecision> Decisions, IReadOnlyList<GroupState> Observed);

    private static DeliveryResult Combine(IReadOnlyList<MailDestination> destinations, List<DeliveryResult> results, RenderedEmail email)
    {
        // The answer to SNS is the most urgent one: a retry if any message still has to go, then a refusal.
        var answer = results.MaxBy(static r => Urgency(r))!;
        return answer with
        {
            Detail = answer.Detail + " (" + string.Join("; ", destinations.Zip(results, static (d, r) => $"{Describe(d)}: {r.Reason}")) + ")",
            Email = email,
        };
    }

    /// <summary>The answer to a claim that found the change final or busy, or null when the caller holds the lease.</summary>
    private static DeliveryResult? Answered(DeliveryResult preview, LedgerClaimStatus status) => status switch
    {
        LedgerClaimStatus.AlreadySent => preview with { Reason = NotifyReasons.Duplicate, Detail = "this change was already mailed; nothing sent again" },
        LedgerClaimStatus.AlreadyRejected => preview with { Reason = NotifyReasons.AlreadyRejected, Detail = "the provider refused this change's mail before; nothing sent again" },
        LedgerClaimStatus.AlreadyUncertain => preview with { Reason = NotifyReasons.AlreadyUncertain, Detail = "an earlier send of this change got no answer and was reported; nothing sent again" },
        LedgerClaimStatus.InProgress => preview with { Reason = NotifyReasons.InProgress, Detail = "another delivery of this change is sending it now", Retry = true },
        LedgerClaimStatus.Unavailable => preview with { Reason = NotifyReasons.LedgerUnavailable, Detail = "the ledger could not be reached; nothing was sent", Retry = true },
        _ => null,
    };

    private async Task<DeliveryResult> SendOnceAsync(
        DeliveryResult preview, SnsMessage message, ChangeDecision decision, MailDestination destination, RenderedEmail email, CancellationToken cancellationToken)
    {
        var key = destination.LedgerChangeKey(decision.Key);
        var claim = await _ledger.ClaimAsync(destination.LedgerMessageId(message.MessageId), key, cancellationToken);
        foreach (var wait in InProgressWaits)
        {
            if (claim.Status != LedgerClaimStatus.InProgress)
            {
                break;
            }

            await Task.Delay(wait, _timeProvider, cancellationToken);
            claim = await _ledger.ClaimAsync(destination.LedgerMessageId(message.MessageId), key, cancellationToken);
        }

        _metrics.LedgerClaimed(claim.Status);
        if (Answered(preview, claim.Status) is { } answered)
        {
            return answered;
        }

        var lease = claim.Lease!;
        using var permit = _sendRate is null ? null : await AcquirePermitAsync(cancellationToken);
        if (permit is { IsAcquired: false })
        {
            await _ledger.ReleaseAsync(lease, CancellationToken.None);
            return preview with { Reason = NotifyReasons.RateLimited, Detail = "Email:MaxSendsPerSecond reached; SNS will deliver again", Retry = true };
        }

        var outgoing = new OutgoingEmail(destination.Recipients, email, key?.ToString() ?? destination.LedgerMessageId(message.MessageId))
        {
            Attempt = lease.Attempt,
            Repeat = lease.Pending,
        };
        SendResult sent;
        try
        {
            sent = await _sender.SendAsync(outgoing, cancellationToken);
        }
        catch
        {
            // A bug or a cancelled request: the mail may not have left, so the change stays claimable for a retry.
            await _ledger.ReleaseAsync(lease, CancellationToken.None);
            throw;
        }

        _metrics.MessageSent(_sender.Provider, "change", sent.Status);
        switch (sent.Status)
        {
            case SendStatus.Sent:
                // Recording must not be cancelled half-way: the mail is out.
                if (await _ledger.MarkSentAsync(lease, sent.ProviderMessageId!, CancellationToken.None) == LedgerWriteResult.Unavailable)
                {
                    _logger.SentButNotRecorded(message.MessageId, _sender.Provider);
                }

                _logger.ChangeMailed(key?.ToString(), _sender.Provider, sent.ProviderMessageId, destination.Recipients.Count);
                return preview with { Reason = NotifyReasons.Sent, Detail = $"mailed {destination.Recipients.Count} recipient(s) through {_sender.Provider}" };
            case SendStatus.Transient:
                await _ledger.ReleaseAsync(lease, CancellationToken.None);
                _logger.SendDeferred(key?.ToString(), _sender.Provider, sent.ErrorCode);
                return preview with { Reason = sent.Reason ?? NotifyReasons.SendFailed, Detail = $"{_sender.Provider} did not take the mail ({sent.ErrorCode}); SNS will deliver again", Retry = true };
            case SendStatus.Uncertain:
                return await RecordUncertainAsync(preview, decision with { Recipients = destination.Recipients }, key, lease, sent, cancellationToken);
            default:
                await _ledger.MarkRejectedAsync(lease, sent.ErrorCode ?? "unknown", CancellationToken.None);
                _logger.SendRejected(key?.ToString(), _sender.Provider, sent.ErrorCode, AddressMask.MaskText(sent.Detail));
                await ReportFailureAsync(decision with { Recipients = destination.Recipients }, key, sent, cancellationToken);
                return preview with { Reason = NotifyReasons.SendRejected, Detail = $"{_sender.Provider} refused the mail ({sent.ErrorCode}); retrying cannot help" };
        }
    }

    private static int Urgency(DeliveryResult result) => result switch
    {
        { Retry: true } => 4,
        { Reason: NotifyReasons.SendRejected or NotifyReasons.SendUncertain } => 3,
        { Reason: NotifyReasons.Sent } => 2,
        { Reason: NotifyReasons.AlreadyRejected } => 1,
        _ => 0,
    };

    private static string Describe(MailDestination destination) => destination.Audience switch
    {
        MailAudience.PreviousOwners => "previous owners",
        MailAudience.NewOwners => "new owners",
        MailAudience.Fallback => "fallback recipients",
        _ => "owners",
    };

    /// <summary>
    /// Sends a sample change mail to one address through the configured provider, bypassing routing and the ledger:
    /// proves the SES or ACS setup end to end (<c>sgnotifier send-test</c>).
    /// </summary>
    public async Task<SendResult> SendTestAsync(string to, CancellationToken cancellationToken)
    {
        if (!RecipientParser.IsValidAddress(to))
        {
            return SendResult.Permanent("InvalidAddress", "not a plain e-mail address: " + to);
        }

        var sample = SampleDecision.Create();
        var decision = sample with
        {
            Recipients = [to.ToLowerInvariant()],
            RoutedBy = "sgnotifier send-test: a sample change, not a real one",
            Change = sample.Change! with { Key = sample.Key! with { Version = "send-test-" + Guid.NewGuid().ToString("N") } },
        };
        return await _sender.SendAsync(new OutgoingEmail(decision.Recipients, _renderer.Render(decision), decision.Key!.ToString()), cancellationToken);
    }

    public void Dispose() => _sendRate?.Dispose();

    /// <summary>
    /// A send whose answer never came. Repeatable (ACS): the claim is released with the request to repeat, and SNS's
    /// redelivery sends that same request, which ACS de-duplicates. Not repeatable (SES): resending risks a second mail,
    /// so the change is recorded as uncertain for good and reported (error log, fallback recipients); the risk left is
    /// a miss, when the provider never took it (README "The remaining window").
    /// </summary>
    private async Task<DeliveryResult> RecordUncertainAsync(
        DeliveryResult preview, ChangeDecision decision, ChangeKey? changeKey, LedgerLease lease, SendResult sent, CancellationToken cancellationToken)
    {
        var key = changeKey?.ToString();
        if (sent.Repeat is { } repeat)
        {
            await _ledger.ReleaseForRepeatAsync(lease, repeat, CancellationToken.None);
            _logger.SendWillRepeat(key, _sender.Provider, sent.ErrorCode, repeat.Attempt, repeat.FirstSentAt);
            return preview with { Reason = NotifyReasons.SendUncertain, Detail = $"{_sender.Provider} did not answer ({sent.ErrorCode}); the redelivery repeats the same request, which {_sender.Provider} de-duplicates", Retry = true };
        }

        await _ledger.MarkUncertainAsync(lease, sent.ErrorCode ?? "unknown", CancellationToken.None);
        _logger.SendUncertain(key, _sender.Provider, sent.ErrorCode);
        await ReportFailureAsync(decision, changeKey, sent, cancellationToken);
        return preview with { Reason = NotifyReasons.SendUncertain, Detail = $"{_sender.Provider} did not answer ({sent.ErrorCode}) and the send cannot be repeated safely; reported, not resent" };
    }

    /// <summary>Tells the fallback recipients, once and through the same provider, that an owner's mail was refused or may be missing.</summary>
    /// <remarks>
    /// The report is keyed by the destination's ledger key, so the reports about two messages of one change (previous and
    /// new owners) are two requests, not one ACS repeat of the other.
    /// </remarks>
    private async Task ReportFailureAsync(ChangeDecision decision, ChangeKey? changeKey, SendResult failure, CancellationToken cancellationToken)
    {
        var fallback = (_notify.FallbackRecipients ?? []).Where(static r => !string.IsNullOrWhiteSpace(r)).ToList();
        if (fallback.Count == 0 || fallback.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(decision.Recipients.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var report = _renderer.RenderDeliveryFailure(decision, failure, _sender.Provider);
        var result = await _sender.SendAsync(new OutgoingEmail(fallback, report, (changeKey?.ToString() ?? "unknown") + "/failure-report"), cancellationToken);
        _metrics.MessageSent(_sender.Provider, "failure-report", result.Status);
        _logger.FailureReported(changeKey?.ToString(), result.Status.ToString());
    }

    private async Task<RateLimitLease> AcquirePermitAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(PermitBudget);
        try
        {
            return await _sendRate!.AcquireAsync(1, budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FailedLease();
        }
    }

    private static DeliveryResult AwsUnavailable(SnsMessage? message, string problem) =>
        new(DeliveryOutcome.Notify, NotifyReasons.AwsUnavailable,
            "AWS could not be read to inspect the change (" + problem + "); SNS will deliver again",
            Retry: true, Message: message);

    private sealed class FailedLease : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
