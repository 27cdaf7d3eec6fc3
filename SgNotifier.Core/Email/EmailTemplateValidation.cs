using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Email;

/// <summary>Loads and test-renders the templates at start, so a broken override stops the app with the file's name.</summary>
internal sealed class EmailTemplateValidation : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        try
        {
            _ = new EmailRenderer(EmailRendererSettingsFor(options));
            return ValidateOptionsResult.Success;
        }
        catch (EmailTemplateException e)
        {
            return ValidateOptionsResult.Fail("Email:TemplateDirectory: " + e.Message);
        }
    }

    public static EmailRendererSettings EmailRendererSettingsFor(EmailOptions options) =>
        new(options.SubjectPrefix ?? "", options.TemplateDirectory, RoutingTagKeys.Default);
}
