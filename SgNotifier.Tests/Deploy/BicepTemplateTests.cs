using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Deploy;

public class BicepTemplateTests
{
    private static readonly string[] AppSettingNames =
    [
        "Sns__AllowedTopicArns__", "Sns__AutoConfirm", "Sns__MaxMessageAge",
        "Notify__NotifyOnChangeTagKey", "Notify__OwnerTagKey", "Notify__RiskyPorts__", "Notify__AllowedRecipientDomains__",
        "Notify__FallbackRecipients__",
        "Email__Provider", "Email__From", "Email__SubjectPrefix", "Email__MaxSendsPerSecond", "Email__Acs__Endpoint",
        "Email__Ses__Region", "Email__Ses__AccessKeyId", "Email__Ses__SecretAccessKey", "Email__Ses__ConfigurationSetName",
        "Ledger__Provider", "Ledger__TableEndpoint", "Ledger__TableName", "Ledger__RetentionDays",
        "Aws__FetchOversizedItems", "Aws__LookupTagsWithEc2", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "Aws__LookupActors", "Aws__RoleArnTemplate", "Aws__ExternalId", "Aws__WebIdentity__RoleArn", "Aws__WebIdentity__Audience",
        "Aws__WebIdentity__ClientId", "Aws__ConfigBucket", "Aws__ConfigBucketOwner", "Notify__AllowedAccountIds__",
        "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    private readonly CompiledBicepTemplate template = CompiledBicepTemplate.Get();

    [Fact]
    public void Build_SucceedsWithoutWarnings()
    {
        Assert.True(template.Build.ExitCode == 0, template.Build.ToString());
        Assert.True(template.Build.Diagnostics.Count == 0, string.Join('\n', template.Build.Diagnostics));
        Assert.True(string.IsNullOrWhiteSpace(template.Build.StandardError), template.Build.StandardError);
        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", (string?)template.RequireArm()["$schema"]);
    }

    [Fact]
    public void Lint_ReportsNothing()
    {
        Assert.True(template.Lint.ExitCode == 0, template.Lint.ToString());
        Assert.True(template.Lint.Diagnostics.Count == 0, string.Join('\n', template.Lint.Diagnostics));
        Assert.True(string.IsNullOrWhiteSpace(template.Lint.StandardError + template.Lint.StandardOutput), template.Lint.ToString());
    }

    [Fact]
    public void ParametersFile_BuildsAgainstTheTemplate()
    {
        Assert.True(template.BuildParameters.ExitCode == 0, template.BuildParameters.ToString());
        Assert.True(template.BuildParameters.Diagnostics.Count == 0, string.Join('\n', template.BuildParameters.Diagnostics));
        var parameters = JsonNode.Parse((string)JsonNode.Parse(template.BuildParameters.StandardOutput)!["parametersJson"]!)!["parameters"]!;
        Assert.Equal(2, parameters["snsAllowedTopicArns"]?["value"]?.AsArray().Count);
        Assert.Equal("example.com", (string?)parameters["allowedRecipientDomains"]?["value"]?[0]);
        Assert.Equal("oncall@example.com", (string?)parameters["alertEmailAddresses"]?["value"]?[0]);
        Assert.Equal("arn:aws:iam::111122223333:role/SgNotifierHub", (string?)parameters["awsWebIdentityRoleArn"]?["value"]);
        Assert.Empty(parameters["fallbackRecipients"]?["value"]?.AsArray() ?? []);
    }

    [Theory]
    [InlineData("SNS_ALLOWED_TOPIC_ARNS")]
    [InlineData("ALLOWED_RECIPIENT_DOMAINS")]
    [InlineData("ALERT_EMAIL_ADDRESSES")]
    public void ParametersFile_RefusesToBuildWithoutTheRequiredVariable(string variable)
    {
        var run = template.BuildParametersWithoutEnvironment;

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Diagnostics, d => d.Contains("BCP427", StringComparison.Ordinal) && d.Contains($"\"{variable}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void ParametersFile_SetsOnlyParametersTheTemplateDeclares()
    {
        var declared = template.RequireArm()["parameters"]!.AsObject().Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);
        var parameters = JsonNode.Parse((string)JsonNode.Parse(template.BuildParameters.StandardOutput)!["parametersJson"]!)!["parameters"]!.AsObject();

        Assert.All(parameters, p => Assert.Contains(p.Key, declared));
    }

    [Fact]
    public void Plan_IsFlexConsumptionFc1()
    {
        var plan = template.SingleResourceOfType("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan["sku"]?["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]?["tier"]);
        Assert.True((bool?)plan["properties"]?["reserved"], "Flex Consumption is Linux: reserved must be true.");
    }

    [Fact]
    public void FunctionApp_RunsDotnetIsolated10FromAnIdentityReadPackage()
    {
        var site = template.SingleResourceOfType("Microsoft.Web/sites");
        var config = site["properties"]?["functionAppConfig"];

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("dotnet-isolated", (string?)config?["runtime"]?["name"]);
        Assert.Equal("10.0", (string?)config?["runtime"]?["version"]);
        Assert.Equal("blobContainer", (string?)config?["deployment"]?["storage"]?["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)config?["deployment"]?["storage"]?["authentication"]?["type"]);
        Assert.NotNull(config?["scaleAndConcurrency"]?["maximumInstanceCount"]);
        Assert.True((bool?)site["properties"]?["httpsOnly"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]?["type"]);
    }

    [Fact]
    public void Template_DisablesSharedKeyAccess()
    {
        var storage = template.SingleResourceOfType("Microsoft.Storage/storageAccounts");

        Assert.False((bool?)storage["properties"]?["allowSharedKeyAccess"] ?? true);
        Assert.False((bool?)storage["properties"]?["allowBlobPublicAccess"] ?? true);
        Assert.Equal("TLS1_2", (string?)storage["properties"]?["minimumTlsVersion"]);
    }

    [Fact]
    public void HostStorage_IsIdentityBased()
    {
        var settings = template.AppSettings();

        Assert.Contains("'AzureWebJobsStorage__accountName', variables('storageName')", settings, StringComparison.Ordinal);
        Assert.Contains("'AzureWebJobsStorage__credential', 'managedidentity'", settings, StringComparison.Ordinal);
        Assert.Contains("'AzureWebJobsStorage__clientId', reference('identity').clientId", settings, StringComparison.Ordinal);
        Assert.Contains("'AZURE_CLIENT_ID', reference('identity').clientId", settings, StringComparison.Ordinal);
        Assert.Contains("'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', format('ClientId={0};Authorization=AAD', reference('identity').clientId)", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("\"AzureWebJobsStorage\"", template.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("'AzureWebJobsStorage'", template.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listAccountSas")]
    [InlineData("listServiceSas")]
    [InlineData("AccountKey=")]
    [InlineData("DefaultEndpointsProtocol")]
    [InlineData("SharedAccessSignature")]
    [InlineData("Ledger__ConnectionString")]
    [InlineData("Email__Acs__ConnectionString")]
    [InlineData("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING")]
    public void Template_HoldsNoKeyOrConnectionString(string forbidden)
    {
        Assert.DoesNotContain(forbidden, template.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Email__Ses__AccessKeyId", "awsAccessKeyIdSecretName")]
    [InlineData("Email__Ses__SecretAccessKey", "awsSecretAccessKeySecretName")]
    [InlineData("AWS_ACCESS_KEY_ID", "awsAccessKeyIdSecretName")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "awsSecretAccessKeySecretName")]
    public void AwsKey_IsAKeyVaultReference(string setting, string secretNameVariable)
    {
        var settings = template.AppSettings();

        Assert.Contains(
            $"'{setting}', format('@Microsoft.KeyVault(SecretUri={{0}}secrets/{{1}}/)', if(variables('needsAwsKeys'), reference('vault').vaultUri, ''), variables('{secretNameVariable}'))",
            settings,
            StringComparison.Ordinal);
    }

    [Fact]
    public void KeyVault_ServesTheAwsKeysToTheIdentityOnlyWhenAwsIsCalled()
    {
        var parameters = template.RequireArm()["parameters"]!;
        Assert.Equal("securestring", (string?)parameters["awsAccessKeyId"]?["type"]);
        Assert.Equal("securestring", (string?)parameters["awsSecretAccessKey"]?["type"]);
        Assert.Contains("if(variables('usesSes'), union(createObject('Email__Ses__Region'", template.AppSettings(), StringComparison.Ordinal);

        var vault = template.SingleResourceOfType("Microsoft.KeyVault/vaults");
        Assert.True((bool?)vault["properties"]?["enableRbacAuthorization"]);
        Assert.Equal("[variables('needsAwsKeys')]", (string?)vault["condition"]);
        // With the web identity, the AWS reads need no key: only SES does.
        Assert.Equal("[or(variables('usesSes'), and(variables('readsAws'), not(variables('usesWebIdentity'))))]", (string?)template.Variable("needsAwsKeys"));
        Assert.True((bool?)vault["properties"]?["enablePurgeProtection"], "Key Vault must have purge protection.");
        Assert.True((bool?)vault["properties"]?["enableSoftDelete"]);
        var site = template.SingleResourceOfType("Microsoft.Web/sites");
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", (string?)site["properties"]?["keyVaultReferenceIdentity"], StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_CoverEverySnsNotifyEmailLedgerAndAwsSetting()
    {
        var settings = template.AppSettings();

        // A name is a key of a createObject(...) / format(...) expression ('Name) or of a compiled variable ("Name").
        Assert.All(AppSettingNames, name => Assert.True(
            settings.Contains($"'{name}", StringComparison.Ordinal) || settings.Contains($"\"{name}", StringComparison.Ordinal),
            $"No app setting {name}."));
    }

    [Theory]
    [InlineData("snsAllowedTopicArns")]
    [InlineData("allowedRecipientDomains")]
    [InlineData("alertEmailAddresses")]
    public void ListParameter_IsRequired(string name)
    {
        var parameter = template.RequireArm()["parameters"]?[name];

        Assert.Equal("array", (string?)parameter?["type"]);
        Assert.Null(parameter?["defaultValue"]);
        Assert.Equal(1, (int?)parameter?["minLength"]);
    }

    [Theory]
    [InlineData("VerifySignatures")]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("WEBSITE_CONTENTSHARE")]
    public void AppSettings_LeaveOut(string setting)
    {
        // Signature checks may only be off in Development; the others are refused by Flex Consumption.
        Assert.DoesNotContain(setting, template.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts")] // Storage Blob Data Owner
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts/tableServices/tables")] // Storage Table Data Contributor, on the ledger table only
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components")] // Monitoring Metrics Publisher
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults")] // Key Vault Secrets User
    [InlineData("09976791-48a7-449e-bb21-39d1a415f350", "Microsoft.Communication/communicationServices")] // Communication and Email Service Owner
    public void ManagedIdentity_IsGrantedTheRole(string roleDefinitionId, string scopeType)
    {
        var roles = template.Variable("roles").AsObject();
        var roleName = roles.Single(r => (string?)r.Value == roleDefinitionId).Key;

        var assignment = Assert.Single(
            template.ResourcesOfType("Microsoft.Authorization/roleAssignments"),
            a => ((string?)a["properties"]?["roleDefinitionId"])?.Contains($"variables('roles').{roleName}", StringComparison.Ordinal) == true);
        Assert.Contains("principalId", (string?)assignment["properties"]?["principalId"], StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", (string?)assignment["properties"]?["principalType"]);
        Assert.StartsWith($"[resourceId('{scopeType}', ", (string?)assignment["scope"], StringComparison.Ordinal);
    }

    [Fact]
    public void AcsEmail_UsesAnAzureManagedDomainLinkedToTheCommunicationService()
    {
        var domain = template.SingleResourceOfType("Microsoft.Communication/emailServices/domains");
        var communication = template.SingleResourceOfType("Microsoft.Communication/communicationServices");

        Assert.Equal("AzureManaged", (string?)domain["properties"]?["domainManagement"]);
        Assert.Contains("Microsoft.Communication/emailServices/domains", communication["properties"]?["linkedDomains"]?.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("createsAcs", (string?)communication["condition"], StringComparison.Ordinal);
        Assert.Contains("format('DoNotReply@{0}', reference('emailDomain').mailFromSenderDomain)", template.AppSettings(), StringComparison.Ordinal);
    }

    [Fact]
    public void Output_GivesTheSnsSubscriptionUrlPattern()
    {
        var output = template.RequireArm()["outputs"]?["snsSubscriptionUrlPattern"];

        Assert.Equal("string", (string?)output?["type"]);
        Assert.Equal("[format('https://{0}/api/sns?code=<function-key>', reference('site').defaultHostName)]", (string?)output?["value"]);
    }
}
