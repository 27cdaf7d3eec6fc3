namespace SgNotifier.Core.Email;

/// <param name="Subject">One line, no control characters, at most 200 characters.</param>
public sealed record RenderedEmail(string Subject, string Text, string Html);
