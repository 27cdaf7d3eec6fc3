using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using SgNotifier.Core.Sns;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// <c>sgnotifier replay</c>: publishes the inner message of each dead-letter entry to the given topic again, and deletes
/// an SQS entry only after SNS accepted it — a failed publish leaves it in the queue for the next run. The new SNS
/// message has a new MessageId but the same Config item, so the ledger's change key still makes it one mail at most.
/// SNS signs what is published, so the app would trust it: an entry is published only when its envelope is for exactly
/// <paramref name="topicArn"/> and verifies as SNS's (<see cref="SnsVerificationMode.IgnoreAge"/>: a dead-letter entry
/// is always older than <c>Sns:MaxMessageAge</c>). Anything else is skipped, reported on <paramref name="errors"/> and
/// left in the queue.
/// </summary>
/// <param name="publisher">Null for a dry run: entries are read and verified, nothing is published.</param>
internal sealed class DeadLetterReplayer(SnsTopicPublisher? publisher, SnsMessageVerifier verifier, string topicArn, TextWriter output, TextWriter errors)
{
    /// <summary>Long enough that an entry that failed is not received again in the same run.</summary>
    private const int VisibilityTimeoutSeconds = 300;

    public int Published { get; private set; }

    public int Failed { get; private set; }

    public int Skipped { get; private set; }

    public bool AllReplayed => Failed == 0 && Skipped == 0;

    public async Task ReplayQueueAsync(IAmazonSQS sqs, string queueUrl, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < max)
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = Math.Min(10, max - seen.Count),
                WaitTimeSeconds = 2,
                VisibilityTimeout = VisibilityTimeoutSeconds,
            }, cancellationToken);
            var fresh = (received.Messages ?? []).Where(m => seen.Add(m.MessageId)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var entry in fresh)
            {
                if (await ReplayAsync("sqs " + entry.MessageId, entry.Body, cancellationToken))
                {
                    await DeleteAsync(sqs, queueUrl, entry, cancellationToken);
                }
            }
        }
    }

    public async Task ReplayFileAsync(IReadOnlyList<(string Id, string Body)> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (id, body) in entries)
        {
            await ReplayAsync(id, body, cancellationToken);
        }
    }

    public string Summary() => publisher is null
        ? $"would replay {Published}, skipped {Skipped} (dry run: nothing published)"
        : $"replayed {Published}, failed {Failed}, skipped {Skipped}";

    private async Task<bool> ReplayAsync(string id, string body, CancellationToken cancellationToken)
    {
        if (DeadLetterBody.Parse(body, out var problem) is not { } message)
        {
            return await SkipAsync(id, problem!);
        }

        if (!string.Equals(message.Envelope.TopicArn, topicArn, StringComparison.Ordinal))
        {
            // The ARN is shown only when it is one: the text comes from an entry that is not verified.
            var from = TopicArn.TryParse(message.Envelope.TopicArn, out _) ? message.Envelope.TopicArn : "a TopicArn that is not an SNS topic ARN";
            return await SkipAsync(id, $"the entry is from {from}, not --topic-arn {topicArn}");
        }

        var verification = await verifier.VerifyAsync(message.Envelope, SnsVerificationMode.IgnoreAge, cancellationToken);
        if (verification != SnsVerificationResult.Verified)
        {
            var detail = verification == SnsVerificationResult.CertUnavailable
                ? "the signing certificate could not be downloaded; run again, or give --cert-dir"
                : SnsMessageVerifier.DetailFor(verification);
            return await SkipAsync(id, $"not verified as sent by SNS ({SnsMessageVerifier.ReasonFor(verification)}: {detail})");
        }

        if (publisher is null)
        {
            Published++;
            await output.WriteLineAsync($"would publish {id} (SNS message {message.MessageId}, signature verified) to {topicArn}");
            return false;
        }

        var (messageId, failure) = await publisher.PublishAsync(topicArn, message, cancellationToken);
        if (messageId is null)
        {
            Failed++;
            await output.WriteLineAsync($"failed {id} (SNS message {message.MessageId}): {failure}; left in place");
            return false;
        }

        Published++;
        await output.WriteLineAsync($"published {id} (SNS message {message.MessageId}) as {messageId}");
        return true;
    }

    /// <summary>Counts and reports an entry that is not published; a queue entry stays in the queue.</summary>
    private async Task<bool> SkipAsync(string id, string reason)
    {
        Skipped++;
        await errors.WriteLineAsync($"skipped {id}: {reason}; not published{(publisher is null ? " (dry run)" : ", left in place")}");
        return false;
    }

    private async Task DeleteAsync(IAmazonSQS sqs, string queueUrl, Message entry, CancellationToken cancellationToken)
    {
        try
        {
            await sqs.DeleteMessageAsync(queueUrl, entry.ReceiptHandle, cancellationToken);
        }
        catch (AmazonServiceException e)
        {
            // Published but still queued: a later run publishes it again, and the ledger answers that one `duplicate`.
            Failed++;
            await output.WriteLineAsync($"failed sqs {entry.MessageId}: published, but SQS refused the delete ({e.ErrorCode}); a later replay is harmless");
        }
    }
}
