namespace SgNotifier.Core.Sns;

/// <summary>Which Timestamp rules <see cref="SnsMessageVerifier.VerifyAsync(SnsMessage, SnsVerificationMode, CancellationToken)"/> applies.</summary>
public enum SnsVerificationMode
{
    /// <summary>A live delivery: every check, including <c>Sns:MaxMessageAge</c> (an old message is a replay).</summary>
    Delivery,

    /// <summary>
    /// A message kept on purpose, such as a dead-letter entry (older than SNS's one-hour retry by definition): every
    /// check — allow-list, certificate URL pin, signature, future Timestamp, certificate valid at the Timestamp — except
    /// <c>Sns:MaxMessageAge</c>. Only for messages that are published again, never for acting on them directly.
    /// </summary>
    IgnoreAge,
}
