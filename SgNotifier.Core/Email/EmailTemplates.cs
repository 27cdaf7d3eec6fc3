using System.Reflection;
using Fluid;

namespace SgNotifier.Core.Email;

/// <summary>
/// The four parsed Liquid templates: embedded defaults, each replaceable by a file of the same name in
/// <c>Email:TemplateDirectory</c>. Parsed once; a parsed template is immutable and safe to render concurrently.
/// </summary>
internal sealed class EmailTemplates
{
    public const string NotificationText = "notification.txt.liquid";
    public const string NotificationHtml = "notification.html.liquid";
    public const string DeliveryFailureText = "delivery-failure.txt.liquid";
    public const string DeliveryFailureHtml = "delivery-failure.html.liquid";

    public static readonly IReadOnlyList<string> Names = [NotificationText, NotificationHtml, DeliveryFailureText, DeliveryFailureHtml];

    private static readonly FluidParser Parser = new();

    private EmailTemplates(IReadOnlyDictionary<string, IFluidTemplate> templates, IReadOnlyList<string> overridden)
    {
        Options = CreateOptions();
        _templates = templates;
        Overridden = overridden;
    }

    private readonly IReadOnlyDictionary<string, IFluidTemplate> _templates;

    public TemplateOptions Options { get; }

    /// <summary>File names taken from the override folder.</summary>
    public IReadOnlyList<string> Overridden { get; }

    public IFluidTemplate this[string name] => _templates[name];

    /// <exception cref="EmailTemplateException">A template cannot be read or does not parse.</exception>
    public static EmailTemplates Load(string? directory)
    {
        var templates = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);
        var overridden = new List<string>();
        foreach (var name in Names)
        {
            string source;
            string origin;
            var path = string.IsNullOrWhiteSpace(directory) ? null : Path.Combine(directory, name);
            if (path is not null && File.Exists(path))
            {
                try
                {
                    source = File.ReadAllText(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new EmailTemplateException($"Email template '{path}' cannot be read: {e.Message}", e);
                }

                origin = path;
                overridden.Add(name);
            }
            else
            {
                source = ReadEmbedded(name);
                origin = "embedded " + name;
            }

            if (!Parser.TryParse(source, out var template, out var error))
            {
                throw new EmailTemplateException($"Email template '{origin}' does not parse: {error}");
            }

            templates[name] = template;
        }

        if (!string.IsNullOrWhiteSpace(directory) && !Directory.Exists(directory))
        {
            throw new EmailTemplateException($"Email:TemplateDirectory '{directory}' does not exist");
        }

        return new EmailTemplates(templates, overridden);
    }

    private static string ReadEmbedded(string name)
    {
        var resource = "SgNotifier.Core.Email.Templates." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException("missing embedded resource " + resource);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            TimeZone = TimeZoneInfo.Utc,
            CultureInfo = System.Globalization.CultureInfo.InvariantCulture,
            // Bounds a hostile or broken override (e.g. a runaway loop); the default templates take a few hundred steps.
            MaxSteps = 200_000,
        };
        options.MemberAccessStrategy.Register<ChangeView>();
        options.MemberAccessStrategy.Register<GroupView>();
        options.MemberAccessStrategy.Register<RuleRow>();
        options.MemberAccessStrategy.Register<TagRow>();
        options.MemberAccessStrategy.Register<EventLink>();
        options.MemberAccessStrategy.Register<DeliveryFailureView>();
        return options;
    }
}
