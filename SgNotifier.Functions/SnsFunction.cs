using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SgNotifier.Core;
using SgNotifier.Core.Sns;

namespace SgNotifier.Functions;

/// <summary>The SNS HTTPS endpoint: <c>POST /api/sns?code=&lt;function key&gt;</c>.</summary>
public sealed class SnsFunction(SnsDeliveryHandler handler, ILogger<SnsFunction> logger)
{
    [Function("sns")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "sns")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        DeliveryResult result;
        try
        {
            // The body is read as text whatever the Content-Type: SNS sends text/plain.
            var headers = SnsRequestHeaders.From(name => request.Headers[name].ToString(), request.ContentLength);
            result = await handler.HandleAsync(request.Body, headers, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The one catch-all: a bug must not leak details to the caller; SNS retries a 500.
            logger.UnexpectedFailure(exception);
            return new StatusCodeResult(StatusCodes.Status500InternalServerError);
        }

        return new ContentResult
        {
            StatusCode = result.HttpStatus,
            Content = result.ToResponseBody(),
            ContentType = "application/json; charset=utf-8",
        };
    }
}
