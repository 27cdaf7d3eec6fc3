using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <summary>
/// Writes each mail as an RFC 5322 <c>.eml</c> file to <c>Email:Outbox:Directory</c>, for local runs and demos. Names
/// sort by time (<c>20261126T164500123Z-0000000001-1a2b3c4d.eml</c>): a per-process counter orders mails of the same
/// millisecond and a random suffix keeps two processes sharing the folder apart. Files appear whole: written to a
/// temporary name, then moved.
/// </summary>
public sealed class OutboxEmailSender : IEmailSender
{
    public const string DefaultFrom = "sgnotifier@localhost";

    private static long _counter;

    private readonly EmailOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OutboxEmailSender> _logger;

    public OutboxEmailSender(IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<OutboxEmailSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string Provider => "outbox";

    public string Directory => Path.GetFullPath(_options.Outbox.Directory);

    public async Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var now = _timeProvider.GetUtcNow();
        MimeMessage message;
        try
        {
            message = Compose(email, string.IsNullOrWhiteSpace(_options.From) ? DefaultFrom : _options.From, now);
        }
        catch (ParseException e)
        {
            return SendResult.Permanent("InvalidAddress", e.Message);
        }

        var fileName = string.Create(CultureInfo.InvariantCulture,
            $"{now.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Interlocked.Increment(ref _counter):D10}-{Guid.NewGuid().ToString("N")[..8]}.eml");
        var directory = Directory;
        var temporary = Path.Combine(directory, "." + fileName + ".tmp");
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true))
            {
                await message.WriteToAsync(stream, cancellationToken);
            }

            File.Move(temporary, Path.Combine(directory, fileName), overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            var code = e is UnauthorizedAccessException ? "OutboxNotWritable" : "OutboxWriteFailed";
            _logger.OutboxFailed(directory, code, e);
            return e is UnauthorizedAccessException ? SendResult.Permanent(code, e.Message) : SendResult.Transient(code, e.Message);
        }

        _logger.OutboxWritten(fileName, email.To.Count, AddressMask.MaskAll(email.To));
        return SendResult.Sent(fileName);
    }

    internal static MimeMessage Compose(OutgoingEmail email, string from, DateTimeOffset date)
    {
        var message = new MimeMessage { Subject = email.Content.Subject, Date = date };
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var to in email.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Headers.Add("X-SgNotifier-Change", email.IdempotencyKey);
        message.Body = new BodyBuilder { TextBody = email.Content.Text, HtmlBody = email.Content.Html }.ToMessageBody();
        return message;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover dot-file is ignored by readers of *.eml.
        }
    }
}
