namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>The EC2 API calls that change a security group (the EventBridge rule's <c>eventName</c> list).</summary>
public enum SecurityGroupApi
{
    AuthorizeSecurityGroupIngress,
    AuthorizeSecurityGroupEgress,
    RevokeSecurityGroupIngress,
    RevokeSecurityGroupEgress,
    ModifySecurityGroupRules,
    UpdateSecurityGroupRuleDescriptionsIngress,
    UpdateSecurityGroupRuleDescriptionsEgress,
    CreateSecurityGroup,
    DeleteSecurityGroup,
    CreateTags,
    DeleteTags,
}
