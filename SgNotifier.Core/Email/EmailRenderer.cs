using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Email;

/// <summary>
/// Turns a decision to notify into a mail: subject, plain text and HTML from Liquid templates. Templates are read and
/// parsed once (overrides here, the embedded ones once per process); rendering is pure and thread-safe. Every value in the HTML is HTML-encoded by the encoder, so
/// names, descriptions and tags from AWS arrive as text, never as markup.
/// </summary>
public sealed class EmailRenderer
{
    // All of Unicode passes through readable; the encoder still escapes markup characters ('<', '>', '&', '"', '\'', …)
    // and what it cannot represent safely (e.g. characters outside the BMP become numeric references).
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly EmailTemplates _templates;
    private readonly EmailRendererSettings _settings;

    /// <exception cref="EmailTemplateException">An override template does not parse or fails on a sample decision.</exception>
    public EmailRenderer(EmailRendererSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _templates = EmailTemplates.Load(settings.TemplateDirectory);
        if (_templates.Overridden.Count > 0)
        {
            // The embedded templates are proven by the golden-file tests; an override is proven here, at start.
            SelfTest();
        }
        else
        {
            EmailTemplates.WarmUpEmbedded();
        }
    }

    /// <summary>Names of the templates taken from <see cref="EmailRendererSettings.TemplateDirectory"/>.</summary>
    public IReadOnlyList<string> OverriddenTemplates => _templates.Overridden;

    public RenderedEmail Render(ChangeDecision decision) => Render(decision, null);

    /// <param name="destination">The message of the change this mail is for: says who else was told, and why this reader is told.</param>
    public RenderedEmail Render(ChangeDecision decision, MailDestination? destination)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var subject = EmailSubject.ForChange(decision, _settings.SubjectPrefix, _settings.TagKeys);
        var view = ChangeView.From(decision, subject, _settings.TagKeys, destination);
        return new RenderedEmail(
            subject,
            RenderTemplate(EmailTemplates.NotificationText, view, NullEncoder.Default),
            RenderTemplate(EmailTemplates.NotificationHtml, view, Html));
    }

    /// <summary>
    /// A short report for <c>Notify:FallbackRecipients</c> when a mail was refused for good: what was to be sent, to
    /// whom, and the provider's error.
    /// </summary>
    public RenderedEmail RenderDeliveryFailure(ChangeDecision decision, SendResult failure, string provider)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(provider);
        var change = ChangeView.From(decision, EmailSubject.ForChange(decision, _settings.SubjectPrefix, _settings.TagKeys), _settings.TagKeys);
        var subject = EmailSubject.ForDeliveryFailure(decision, _settings.SubjectPrefix);
        var view = DeliveryFailureView.From(change, subject, provider, failure, decision.Recipients);
        return new RenderedEmail(
            subject,
            RenderTemplate(EmailTemplates.DeliveryFailureText, view, NullEncoder.Default),
            RenderTemplate(EmailTemplates.DeliveryFailureHtml, view, Html));
    }

    private string RenderTemplate(string name, object model, TextEncoder encoder)
    {
        var context = new TemplateContext(model, _templates.Options);
        return Normalize(_templates[name].Render(context, encoder));
    }

    // Mail bodies use LF line ends whatever the template file had; MIME encoders turn them into CRLF on the wire.
    private static string Normalize(string body) => body.ReplaceLineEndings("\n");

    // An override that parses can still fail when rendered (a bad filter argument, too many steps): find out now.
    private void SelfTest()
    {
        var sample = SampleDecision.Create();
        try
        {
            Render(sample);
            RenderDeliveryFailure(sample, SendResult.Permanent("MessageRejected", "sample"), "sample");
        }
        catch (Exception e) when (e is not EmailTemplateException)
        {
            throw new EmailTemplateException(
                $"Email templates from '{_settings.TemplateDirectory}' fail to render a sample change: {e.Message}", e);
        }
    }
}
