using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.CloudTrail;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Names who made a Config change (<c>Aws:LookupActors</c>): CloudTrail <c>LookupEvents</c> in the group's account
/// and region, by <c>EventId</c> for legacy items that list <c>relatedEvents</c>, otherwise by
/// <c>ResourceName=&lt;sg-id&gt;</c> in a window around the capture time, matched to the diff by
/// <see cref="ConfigChangeActorMatcher"/>. Runs between routing and rendering. Never costs the mail: throttling,
/// access denied and timeouts end as <see cref="ActorStatus.Unavailable"/> with the reason.
/// </summary>
public sealed partial class CloudTrailActorResolver
{
    internal const int MaxCachedResults = 1024;
    internal const int MaxRelatedEvents = 5;
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(30);

    private readonly AwsOptions _options;
    private readonly CloudTrailLookupEventsClient _cloudTrail;
    private readonly TimeProvider _time;
    private readonly ILogger<CloudTrailActorResolver> _logger;
    private readonly ConcurrentDictionary<string, (ChangeActors Actors, DateTimeOffset Until)> _found = new(StringComparer.Ordinal);

    public CloudTrailActorResolver(IOptions<AwsOptions> options, CloudTrailLookupEventsClient cloudTrail, TimeProvider time, ILogger<CloudTrailActorResolver> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _cloudTrail = cloudTrail;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether <see cref="ResolveAsync"/> would ask CloudTrail about this decision (else it answers "off").</summary>
    /// <remarks>
    /// Only Config changes are looked up: a CloudTrail change names its actor in the event itself (issue 17), and a
    /// change whose actors are already known is never looked up again.
    /// </remarks>
    public bool WillLookUp(ChangeDecision decision) =>
        _options.LookupActors && decision is { Outcome: DecisionOutcome.Notify, SecurityGroup: not null, Change.Source: ChangeSource.Config, Actors.Status: ActorStatus.Off };

    public async Task<ChangeActors> ResolveAsync(ChangeDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!WillLookUp(decision) || decision.SecurityGroup is not { } group)
        {
            return ChangeActors.Off;
        }

        var key = decision.Key?.ToString();
        if (!AwsRegion.IsAccountId(group.AccountId) || !AwsRegion.IsValid(group.Region) || !GroupId().IsMatch(group.Id))
        {
            return Unavailable(key, "the change's account id, region or group id is not valid for a CloudTrail lookup");
        }

        var cacheKey = string.Join('|', group.AccountId, group.Region, group.Id, decision.Key?.Version ?? "", decision.CaptureTime?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "");
        var now = _time.GetUtcNow();
        if (_found.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return cached.Actors;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.ActorLookupTimeout);
        var related = decision.RelatedEvents.Where(static id => EventId().IsMatch(id)).Distinct(StringComparer.Ordinal).Take(MaxRelatedEvents).ToList();
        var events = new List<CloudTrailLookupEvent>();
        IReadOnlyList<ChangeActor> actors;
        string how;
        if (related.Count > 0)
        {
            // Legacy items (before version 1.3) name the causing events: those are the actors, whatever the diff.
            foreach (var id in related)
            {
                var result = await _cloudTrail.LookupAsync(group.AccountId, group.Region, "EventId", id, null, null, budget.Token, cancellationToken);
                if (result.Status != CloudTrailLookupStatus.Completed)
                {
                    return Unavailable(key, Why(result));
                }

                events.AddRange(result.Events);
            }

            actors = events.Select(static e => e.CloudTrailEvent).Where(IsSuccessful).Select(CloudTrailActorParser.Parse).OfType<ChangeActor>()
                .DistinctBy(static a => a.EventId).OrderBy(static a => a.EventTime).ToList();
            how = "by the item's relatedEvents";
        }
        else
        {
            var capture = decision.CaptureTime ?? now;
            var result = await _cloudTrail.LookupAsync(
                group.AccountId, group.Region, "ResourceName", group.Id, capture - _options.ActorWindowBefore, capture + _options.ActorWindowAfter,
                budget.Token, cancellationToken);
            if (result.Status != CloudTrailLookupStatus.Completed)
            {
                return Unavailable(key, Why(result));
            }

            actors = ConfigChangeActorMatcher.Match(decision, result.Events);
            how = string.Create(CultureInfo.InvariantCulture, $"searched {result.Events.Count} CloudTrail event(s) of the group from {_options.ActorWindowBefore:g} before to {_options.ActorWindowAfter:g} after the capture time");
        }

        if (actors.Count > 0)
        {
            var found = new ChangeActors(ActorStatus.Found, actors, "named by CloudTrail (" + how + ")");
            if (_found.Count >= MaxCachedResults)
            {
                _found.Clear();
            }

            _found[cacheKey] = (found, now + CacheLifetime);
            _logger.ActorsFound(key, actors.Count, string.Join(", ", actors.Select(static a => a.EventId)));
            return found;
        }

        if (_options.ActorWait > TimeSpan.Zero && decision.CaptureTime is { } captured && now < captured + _options.ActorWait)
        {
            _logger.ActorPending(key, captured + _options.ActorWait);
            return new ChangeActors(ActorStatus.Pending, [],
                string.Create(CultureInfo.InvariantCulture, $"CloudTrail has no matching event yet; SNS will deliver again (Aws:ActorWait until {captured + _options.ActorWait:yyyy-MM-dd HH:mm:ss} UTC)"));
        }

        var detail = "the actor is not (yet) in CloudTrail: no matching successful security-group call " + how;
        _logger.ActorNotFound(key, detail);
        return new ChangeActors(ActorStatus.NotFound, [], detail);
    }

    private ChangeActors Unavailable(string? key, string why)
    {
        _logger.ActorUnavailable(key, why);
        return new ChangeActors(ActorStatus.Unavailable, [], why);
    }

    private static string Why(CloudTrailLookupResult result) => result.Status switch
    {
        CloudTrailLookupStatus.Throttled => "CloudTrail throttled the lookup: " + result.Problem,
        CloudTrailLookupStatus.AccessDenied => "access denied: " + result.Problem,
        CloudTrailLookupStatus.TimedOut => "the lookup timed out: " + result.Problem,
        _ => result.Problem ?? "the CloudTrail lookup failed",
    };

    private static bool IsSuccessful(string? record)
    {
        if (string.IsNullOrEmpty(record))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(record);
            return document.RootElement.ValueKind == JsonValueKind.Object && !ConfigJson.TryGetExact(document.RootElement, "errorCode", out _);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            // Not JSON, or (ArgumentException) a raw lone surrogate, which cannot become UTF-8.
            return false;
        }
    }

    [GeneratedRegex("^[0-9A-Za-z-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex EventId();

    [GeneratedRegex("^sg-[0-9a-f]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex GroupId();
}
