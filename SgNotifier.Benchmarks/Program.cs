using BenchmarkDotNet.Running;
using SgNotifier.Benchmarks;
using SgNotifier.Benchmarks.Inputs;

if (args is ["--sizes"])
{
    // The generated inputs, for docs/performance.md.
    using var signer = new BenchmarkSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    foreach (var rules in new[] { 10, 100, 1000 })
    {
        var message = SecurityGroupChange.Create(rules);
        var body = signer.Notification(SecurityGroupChange.TopicArn, message, SecurityGroupChange.Subject(rules), DateTimeOffset.UtcNow, "2");
        Console.WriteLine($"{rules,5} rules: Config message {message.Length,7:N0} chars, SNS body {body.Length,7:N0} bytes");
        var added = SecurityGroupChange.CreateAdded(rules);
        var addedBody = signer.Notification(SecurityGroupChange.TopicArn, added, SecurityGroupChange.Subject(rules), DateTimeOffset.UtcNow, "2");
        Console.WriteLine($"{rules,5} rules: Config message, all added {added.Length,7:N0} chars, SNS body {addedBody.Length,7:N0} bytes");
        foreach (var pascalCase in new[] { false, true })
        {
            var apiCall = SecurityGroupApiCallEvent.Create(rules, pascalCase);
            var apiCallBody = signer.Notification(SecurityGroupChange.TopicArn, apiCall, null, DateTimeOffset.UtcNow, "2");
            Console.WriteLine($"{rules,5} rules: CloudTrail event ({(pascalCase ? "PascalCase" : "items")}) {apiCall.Length,7:N0} chars, SNS body {apiCallBody.Length,7:N0} bytes");
        }

        Console.WriteLine($"{rules,5} rules: EC2 DescribeSecurityGroups {Ec2GroupResponses.DescribeSecurityGroups(rules).Length,7:N0} bytes, DescribeSecurityGroupRules {Ec2GroupResponses.DescribeSecurityGroupRules(rules).Length,7:N0} bytes");
    }

    return 0;
}

if (args is ["--stages"])
{
    await Stages.RunAsync();
    return 0;
}

if (args is ["--stages", "cloudtrail"])
{
    await Stages.RunCloudTrailAsync();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
