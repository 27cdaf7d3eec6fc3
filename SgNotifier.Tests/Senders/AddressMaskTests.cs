using SgNotifier.Core.Senders;

namespace SgNotifier.Tests.Senders;

public sealed class AddressMaskTests
{
    [Theory]
    [InlineData(
        "Email address is not verified. The following identities failed the check in region US-EAST-1: drop@attacker-mail.test",
        "Email address is not verified. The following identities failed the check in region US-EAST-1: d***@attacker-mail.test")]
    [InlineData("Recipients <a.b+c@example.com>, \"x@y.example\"; z@q.example.", "Recipients <a***@example.com>, \"x***@y.example\"; z***@q.example.")]
    [InlineData("Maximum sending rate exceeded.", "Maximum sending rate exceeded.")]
    public void ProviderErrorText_HasEveryAddressMasked(string text, string masked) =>
        Assert.Equal(masked, AddressMask.MaskText(text));

    [Fact]
    public void SesErrorBody_IsReadWithItsAddressesMasked()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest);
        response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "MessageRejected:");

        var (code, message) = ProviderError.Aws(response, "{\"message\":\"Email address is not verified: owner@example.com\"}");

        Assert.Equal(("MessageRejected", "Email address is not verified: o***@example.com"), (code, message));
    }
}
