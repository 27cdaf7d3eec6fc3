using System.Reflection;
using Fluid;

namespace SgNotifier.Core.Email;

/// <summary>
/// The four parsed Liquid templates: embedded defaults, each replaceable by a file of the same name in
/// <c>Email:TemplateDirectory</c>. Parsed once; a parsed template is immutable and safe to render concurrently.
/// The embedded ones, and the template options, are built once per process, shared by every renderer, and built off
/// the start-up path: Fluid's parser costs ~90 ms to construct in a fresh process (~150 ms with the four templates),
/// more than everything else a preview does before its decision (docs/performance.md).
/// </summary>
internal sealed class EmailTemplates
{
    public const string NotificationText = "notification.txt.liquid";
    public const string NotificationHtml = "notification.html.liquid";
    public const string DeliveryFailureText = "delivery-failure.txt.liquid";
    public const string DeliveryFailureHtml = "delivery-failure.html.liquid";

    public static readonly IReadOnlyList<string> Names = [NotificationText, NotificationHtml, DeliveryFailureText, DeliveryFailureHtml];

    private static readonly Lazy<FluidParser> Parser = new(static () => new FluidParser());
    private static readonly Lazy<TemplateOptions> SharedOptions = new(CreateOptions);
    private static readonly Lazy<IReadOnlyDictionary<string, IFluidTemplate>> Embedded = new(ParseEmbedded);

    private readonly IReadOnlyDictionary<string, IFluidTemplate>? _templates;

    private EmailTemplates(IReadOnlyDictionary<string, IFluidTemplate>? templates, IReadOnlyList<string> overridden)
    {
        _templates = templates;
        Overridden = overridden;
    }

    public TemplateOptions Options => SharedOptions.Value;

    /// <summary>File names taken from the override folder.</summary>
    public IReadOnlyList<string> Overridden { get; }

    public IFluidTemplate this[string name] => (_templates ?? Embedded.Value)[name];

    /// <summary>Parses the embedded templates on a pool thread, so the first mail rarely waits for them.</summary>
    public static void WarmUpEmbedded() =>
        ThreadPool.UnsafeQueueUserWorkItem(static _ =>
        {
            _ = SharedOptions.Value;
            _ = Embedded.Value;
        }, null);

    /// <exception cref="EmailTemplateException">A template cannot be read or does not parse.</exception>
    public static EmailTemplates Load(string? directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            return new EmailTemplates(null, []);
        }

        if (!Directory.Exists(directory))
        {
            throw new EmailTemplateException($"Email:TemplateDirectory '{directory}' does not exist");
        }

        var templates = new Dictionary<string, IFluidTemplate>(Embedded.Value, StringComparer.Ordinal);
        var overridden = new List<string>();
        foreach (var name in Names)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                continue;
            }

            string source;
            try
            {
                source = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EmailTemplateException($"Email template '{path}' cannot be read: {e.Message}", e);
            }

            templates[name] = Parse(source, path);
            overridden.Add(name);
        }

        return new EmailTemplates(templates, overridden);
    }

    private static IReadOnlyDictionary<string, IFluidTemplate> ParseEmbedded()
    {
        var templates = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            templates[name] = Parse(ReadEmbedded(name), "embedded " + name);
        }

        return templates;
    }

    private static IFluidTemplate Parse(string source, string origin) =>
        Parser.Value.TryParse(source, out var template, out var error)
            ? template
            : throw new EmailTemplateException($"Email template '{origin}' does not parse: {error}");

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
        options.MemberAccessStrategy.Register<ActorView>();
        options.MemberAccessStrategy.Register<DeliveryFailureView>();
        return options;
    }
}
