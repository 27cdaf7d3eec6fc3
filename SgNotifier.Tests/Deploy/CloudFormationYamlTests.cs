using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Deploy;

public class CloudFormationYamlTests
{
    [Fact]
    public void ShortFormRefAndSub_BecomeLongForm()
    {
        var template = CloudFormationYaml.Parse("""
            A: !Ref Topic
            B: !Sub 'arn:${AWS::Partition}:sns'
            """);

        Assert.Equal("Topic", (string?)template["A"]?["Ref"]);
        Assert.Equal("arn:${AWS::Partition}:sns", (string?)template["B"]?["Fn::Sub"]);
    }

    [Fact]
    public void ShortFormGetAtt_SplitsResourceFromAttributeAtTheFirstDot()
    {
        var template = CloudFormationYaml.Parse("A: !GetAtt Db.Endpoint.Address");

        var getAtt = Assert.IsType<JsonArray>(template["A"]?["Fn::GetAtt"]);
        Assert.Equal(["Db", "Endpoint.Address"], getAtt.Select(static n => (string?)n));
    }

    [Fact]
    public void NestedShortForms_KeepTheirStructure()
    {
        var template = CloudFormationYaml.Parse("""
            A: !If [IsProd, !Join ['-', [!Ref Name, !Select [0, !Split [',', !ImportValue Shared]]]], !Ref AWS::NoValue]
            B: !And [!Condition IsProd, !Not [!Equals [!Ref Env, dev]], !Or [!Condition X, !Condition Y]]
            C: !Base64 { "Fn::FindInMap": [Map, !Ref AWS::Region, Key] }
            D: !Cidr [!Select [0, !GetAZs ''], 6, 5]
            """);

        var ifArguments = Assert.IsType<JsonArray>(template["A"]?["Fn::If"]);
        Assert.Equal("IsProd", (string?)ifArguments[0]);
        Assert.Equal("Shared", (string?)ifArguments[1]?["Fn::Join"]?[1]?[1]?["Fn::Select"]?[1]?["Fn::Split"]?[1]?["Fn::ImportValue"]);
        Assert.Equal("AWS::NoValue", (string?)ifArguments[2]?["Ref"]);
        Assert.Equal("IsProd", (string?)template["B"]?["Fn::And"]?[0]?["Condition"]);
        Assert.Equal("Env", (string?)template["B"]?["Fn::And"]?[1]?["Fn::Not"]?[0]?["Fn::Equals"]?[0]?["Ref"]);
        Assert.Equal("Y", (string?)template["B"]?["Fn::And"]?[2]?["Fn::Or"]?[1]?["Condition"]);
        Assert.Equal("Map", (string?)template["C"]?["Fn::Base64"]?["Fn::FindInMap"]?[0]);
        Assert.Equal(string.Empty, (string?)template["D"]?["Fn::Cidr"]?[0]?["Fn::Select"]?[1]?["Fn::GetAZs"]);
    }

    [Theory]
    [MemberData(nameof(AllShortForms))]
    public void EveryCloudFormationShortForm_IsUnderstood(string tag, string longForm)
    {
        var template = CloudFormationYaml.Parse($"A: {tag} [x, y]");

        Assert.NotNull(template["A"]?[longForm]);
    }

    [Fact]
    public void UnknownTag_IsRejected()
    {
        Assert.Throws<FormatException>(() => CloudFormationYaml.Parse("A: !Sbu 'x'"));
    }

    [Fact]
    public void PlainScalars_AreTypedAndQuotedOnesStayStrings()
    {
        var template = CloudFormationYaml.Parse("""
            Number: 3600
            Quoted: '2'
            Flag: false
            """);

        Assert.Equal(3600, (long)template["Number"]!);
        Assert.Equal("2", (string?)template["Quoted"]);
        Assert.False((bool)template["Flag"]!);
    }

    public static TheoryData<string, string> AllShortForms()
    {
        var data = new TheoryData<string, string>();
        foreach (var (tag, longForm) in CloudFormationYaml.ShortForms)
        {
            data.Add(tag, longForm);
        }

        return data;
    }
}
