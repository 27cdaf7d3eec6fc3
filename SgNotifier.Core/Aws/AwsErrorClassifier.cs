using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace SgNotifier.Core.Aws;

/// <summary>Sorts AWS SDK failures into "retry the SNS delivery later" and "will never work for this message".</summary>
internal static class AwsErrorClassifier
{
    private static readonly HashSet<string> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "ProvisionedThroughputExceededException",
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable",
        "PriorRequestNotComplete", "EC2ThrottledException", "BandwidthLimitExceeded",
    };

    public static bool IsTransient(Exception exception) => exception switch
    {
        AmazonServiceException service =>
            (int)service.StatusCode >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests ||
            (service.ErrorCode is not null && TransientErrorCodes.Contains(service.ErrorCode)) ||
            (service.StatusCode == 0 && service.InnerException is not null && IsTransient(service.InnerException)),
        HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException => true,
        _ => exception.InnerException is not null && IsTransient(exception.InnerException),
    };

    /// <summary>An error code and type for logs; no request content.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        AmazonServiceException service => $"{service.ErrorCode ?? "no error code"} (HTTP {(int)service.StatusCode}, {exception.GetType().Name})",
        _ => exception.GetType().Name + (exception.InnerException is null ? string.Empty : " <- " + Describe(exception.InnerException)),
    };
}
