using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// Listens, with a real <see cref="MeterListener"/>, to the <c>SgNotifier</c> meter of one service provider only
/// (meters are scoped to their <see cref="IMeterFactory"/>), so tests running in parallel never see each other's counts.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ServiceProvider? _owned;

    /// <summary>Records the meter of <paramref name="services"/>; with none, owns a provider with only metrics.</summary>
    public MetricsRecorder(IServiceProvider? services = null)
    {
        if (services is null)
        {
            _owned = new ServiceCollection().AddMetrics().AddSingleton<SgNotifierMetrics>().BuildServiceProvider();
            services = _owned;
        }

        var factory = services.GetRequiredService<IMeterFactory>();
        Metrics = services.GetRequiredService<SgNotifierMetrics>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SgNotifierMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public SgNotifierMetrics Metrics { get; }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    /// <summary>The measurements of one instrument, each with its tags as a dictionary.</summary>
    public IReadOnlyList<Measurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToList();

    public void Dispose()
    {
        _listener.Dispose();
        _owned?.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue(new Measurement(instrument.Name, value, copy));
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
