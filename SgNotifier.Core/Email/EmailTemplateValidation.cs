using Microsoft.Extensions.Options;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Email;

/// <summary>Loads and test-renders override templates at start, so a broken override stops the app with the file's name.</summary>
internal sealed class EmailTemplateValidation(IOptions<NotifyOptions> notify) : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.TemplateDirectory))
        {
            // Only the embedded templates: nothing a setting can break.
            return ValidateOptionsResult.Skip;
        }

        try
        {
            NotifyOptions tagKeys;
            try
            {
                tagKeys = notify.Value;
            }
            catch (OptionsValidationException)
            {
                // Notify's own validation reports the problem once; the templates are checked when it is fixed.
                return ValidateOptionsResult.Skip;
            }

            _ = new EmailRenderer(EmailRendererSettingsFor(options, tagKeys));
            return ValidateOptionsResult.Success;
        }
        catch (EmailTemplateException e)
        {
            return ValidateOptionsResult.Fail("Email:TemplateDirectory: " + e.Message);
        }
    }

    /// <summary>The renderer's settings: the e-mail options, and the routing tag keys configured under <c>Notify</c>.</summary>
    public static EmailRendererSettings EmailRendererSettingsFor(EmailOptions options, NotifyOptions notify) =>
        new(options.SubjectPrefix ?? "", options.TemplateDirectory, new RoutingTagKeys(notify.NotifyOnChangeTagKey, notify.OwnerTagKey));
}
