using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// <c>sgnotifier replay</c>: publishes the inner message of each dead-letter entry to the given topic again, and deletes
/// an SQS entry only after SNS accepted it — a failed publish leaves it in the queue for the next run. The new SNS
/// message has a new MessageId but the same Config item, so the ledger's change key still makes it one mail at most.
/// </summary>
/// <param name="publisher">Null for a dry run: entries are read and checked, nothing is published.</param>
internal sealed class DeadLetterReplayer(SnsTopicPublisher? publisher, string topicArn, TextWriter output)
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
            Skipped++;
            await output.WriteLineAsync($"skipped {id}: {problem}");
            return false;
        }

        if (publisher is null)
        {
            Published++;
            await output.WriteLineAsync($"would publish {id} (SNS message {message.MessageId ?? "?"}) to {topicArn}");
            return false;
        }

        var (messageId, failure) = await publisher.PublishAsync(topicArn, message, cancellationToken);
        if (messageId is null)
        {
            Failed++;
            await output.WriteLineAsync($"failed {id} (SNS message {message.MessageId ?? "?"}): {failure}; left in place");
            return false;
        }

        Published++;
        await output.WriteLineAsync($"published {id} (SNS message {message.MessageId ?? "?"}) as {messageId}");
        return true;
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
