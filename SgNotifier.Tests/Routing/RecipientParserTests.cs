using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Routing;

public class RecipientParserTests
{
    [Theory]
    [InlineData("a@example.com")]
    [InlineData("first.last+tag@sub.example.co.uk")]
    [InlineData("o'brien@example.com")]
    [InlineData("x_y-z@ex-ample.com")]
    public void PlainAddress_IsValid(string address) => Assert.True(RecipientParser.IsValidAddress(address));

    [Theory]
    [InlineData("Web Team <web@example.com>")]
    [InlineData("<web@example.com>")]
    [InlineData("\"web\"@example.com")]
    [InlineData("web@example.com\r\nBcc: x@example.com")]
    [InlineData("web\n@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("web@localhost")]
    [InlineData("web@example")]
    [InlineData("web@127.0.0.1")]
    [InlineData("web@[127.0.0.1]")]
    [InlineData(".web@example.com")]
    [InlineData("web.@example.com")]
    [InlineData("we..b@example.com")]
    [InlineData("web@-example.com")]
    [InlineData("web@example..com")]
    [InlineData("wéb@example.com")]
    [InlineData("web@exämple.com")]
    [InlineData("web(comment)@example.com")]
    [InlineData("mailto:web@example.com")]
    [InlineData("@example.com")]
    [InlineData("")]
    public void AnythingButAPlainAddress_IsInvalid(string address) => Assert.False(RecipientParser.IsValidAddress(address));

    [Fact]
    public void OverlongLocalPart_IsInvalid() => Assert.False(RecipientParser.IsValidAddress(new string('a', 65) + "@example.com"));

    [Fact]
    public void TagValue_IsSplitOnWhitespaceCommasAndSemicolons_LowerCasedSortedAndDistinct()
    {
        var list = RecipientParser.Parse(" B@example.com,a@example.com;\tc@example.com\r\nA@EXAMPLE.COM ,, ", null);

        Assert.Equal(["a@example.com", "b@example.com", "c@example.com"], list.Addresses);
        Assert.Empty(list.Rejected);
    }

    [Fact]
    public void InvalidAndForeignAddresses_AreRejectedWithReasons()
    {
        var list = RecipientParser.Parse("ok@example.com sub@team.example.com bad@@example.com x@evil.test x@evil.test x@notexample.com", ["example.com"]);

        Assert.Equal(["ok@example.com", "sub@team.example.com"], list.Addresses);
        Assert.Equal(
            [
                new RejectedRecipient("bad@@example.com", RecipientParser.InvalidAddress),
                new RejectedRecipient("x@evil.test", RecipientParser.DomainNotAllowed),
                new RejectedRecipient("x@notexample.com", RecipientParser.DomainNotAllowed),
            ],
            list.Rejected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n ")]
    public void EmptyValue_HasNoRecipients(string? value)
    {
        var list = RecipientParser.Parse(value, null);

        Assert.Empty(list.Addresses);
        Assert.Empty(list.Rejected);
    }
}
