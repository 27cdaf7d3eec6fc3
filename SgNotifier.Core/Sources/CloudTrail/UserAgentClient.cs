namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>A recognisable name for the client behind a CloudTrail <c>userAgent</c>: console, AWS CLI, Terraform, an SDK…</summary>
public static class UserAgentClient
{
    // Checked in order: tools embed the SDK's agent too (Terraform sends "APN/1.0 HashiCorp/1.0 Terraform/… aws-sdk-go-v2/…").
    private static readonly (string Marker, string Name)[] Known =
    [
        ("Terraform", "Terraform"),
        ("OpenTofu", "OpenTofu"),
        ("Pulumi", "Pulumi"),
        ("aws-cdk", "AWS CDK"),
        ("cloudformation.amazonaws.com", "CloudFormation"),
        ("aws-cli/", "AWS CLI"),
        ("aws-powershell", "AWS Tools for PowerShell"),
        ("AWSPowerShell", "AWS Tools for PowerShell"),
        ("Boto3/", "AWS SDK for Python (boto3)"),
        ("Botocore/", "AWS SDK for Python (botocore)"),
        ("aws-sdk-go", "AWS SDK for Go"),
        ("aws-sdk-java", "AWS SDK for Java"),
        ("aws-sdk-dotnet", "AWS SDK for .NET"),
        ("aws-sdk-js", "AWS SDK for JavaScript"),
        ("aws-sdk-nodejs", "AWS SDK for JavaScript"),
        ("aws-sdk-ruby", "AWS SDK for Ruby"),
        ("aws-sdk-php", "AWS SDK for PHP"),
        ("aws-sdk-rust", "AWS SDK for Rust"),
        ("aws-sdk-cpp", "AWS SDK for C++"),
        ("aws-sdk-kotlin", "AWS SDK for Kotlin"),
        ("aws-sdk-swift", "AWS SDK for Swift"),
        ("AWS Internal", "AWS internal"),
    ];

    /// <param name="console">The record says the session came from the console (<c>sessionCredentialFromConsole</c>).</param>
    public static string Describe(string? userAgent, bool console)
    {
        if (console)
        {
            return "AWS console";
        }

        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "unknown client";
        }

        foreach (var (marker, name) in Known)
        {
            if (userAgent.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        if (userAgent.Contains("console.amazonaws.com", StringComparison.OrdinalIgnoreCase) ||
            userAgent.Contains("console.aws.amazon.com", StringComparison.OrdinalIgnoreCase) ||
            userAgent.StartsWith("Mozilla/", StringComparison.Ordinal))
        {
            return "AWS console";
        }

        return userAgent.EndsWith(".amazonaws.com", StringComparison.Ordinal) ? userAgent : "other client";
    }

    /// <summary>Console, or a program (CLI, SDK, tool).</summary>
    public static string Kind(string? userAgent, bool console) =>
        Describe(userAgent, console) == "AWS console" ? "console" : "CLI/SDK";
}
