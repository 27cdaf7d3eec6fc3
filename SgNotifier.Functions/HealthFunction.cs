using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SgNotifier.Core;

namespace SgNotifier.Functions;

/// <summary>
/// <c>GET /api/health</c>, anonymous so that an availability test needs no key: 200 or 503 with what was checked.
/// It reveals setting names and status codes only (README "Health").
/// </summary>
public sealed class HealthFunction(HealthProbe probe)
{
    [Function("health")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var report = await probe.CheckAsync(cancellationToken);
        return new ContentResult { StatusCode = report.HttpStatus, Content = report.ToJson(), ContentType = "application/json; charset=utf-8" };
    }
}
