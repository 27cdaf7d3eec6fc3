// SgNotifier on Azure: one Flex Consumption (FC1) function app, .NET 10 isolated worker, that runs with a user-assigned
// managed identity and no storage keys. Deploy into an existing resource group:
//   az deployment group create -g <rg> -f deploy/azure/main.bicep -p deploy/azure/main.bicepparam
// Then publish the code and read docs/deploy.md for the AWS side.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------------------
// Where and how big
// ---------------------------------------------------------------------------------------------------------------------

@description('Region of every regional resource. Flex Consumption is not offered in every region: check with `az functionapp list-flexconsumption-locations`.')
param location string = resourceGroup().location

@description('Short lowercase name that starts every resource name.')
@minLength(3)
@maxLength(12)
param baseName string = 'sgnotifier'

@description('Tags put on every resource.')
param tags object = {}

@description('Upper bound on instances. SgNotifier needs few: SNS delivers one change at a time per message and the ledger keeps scale-out safe.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

// ---------------------------------------------------------------------------------------------------------------------
// Sns:* (the SNS front door)
// ---------------------------------------------------------------------------------------------------------------------

@description('SNS topic ARNs whose deliveries are accepted (Sns:AllowedTopicArns). The app refuses to start in production without one. The AWS stack names its topic, so the ARN is known before AWS is deployed: arn:aws:sns:<region>:<account>:<TopicName>.')
@minLength(1)
param snsAllowedTopicArns array

@description('Confirm SNS subscriptions of allowed topics automatically (Sns:AutoConfirm).')
param snsAutoConfirm bool = true

@description('Oldest accepted SNS message, as a .NET TimeSpan (Sns:MaxMessageAge). Keep it above the SNS retry horizon of 1 hour.')
param snsMaxMessageAge string = '01:05:00'

// Sns:VerifySignatures is deliberately not a parameter: it may only be false in Development, never in Azure.

// ---------------------------------------------------------------------------------------------------------------------
// Notify:* (routing)
// ---------------------------------------------------------------------------------------------------------------------

@description('Tag key that opts a security group in (Notify:NotifyOnChangeTagKey).')
param notifyOnChangeTagKey string = 'NotifyOnChange'

@description('Tag key that holds the owners\' addresses (Notify:OwnerTagKey).')
param ownerTagKey string = 'OwnerDL'

@description('Ports that make a world-open ingress rule risky (Notify:RiskyPorts). Empty keeps the app\'s built-in list.')
param riskyPorts int[] = []

@description('Only owners in these domains are mailed (Notify:AllowedRecipientDomains). Empty allows every domain.')
param allowedRecipientDomains string[] = []

@description('Recipients of changes whose owner list ends up empty, of oversized changes that could not be inspected, and of permanent send failures (Notify:FallbackRecipients).')
param fallbackRecipients string[] = []

// ---------------------------------------------------------------------------------------------------------------------
// Email:* (the sender)
// ---------------------------------------------------------------------------------------------------------------------

@description('Which provider sends the mail (Email:Provider). Acs needs no secret at all; Ses needs AWS access keys, kept in Key Vault; Outbox only writes files and is for trials.')
@allowed([
  'Acs'
  'Ses'
  'Outbox'
])
param emailProvider string = 'Acs'

@description('Sender address (Email:From). With Acs and createAcsEmail it defaults to DoNotReply@<the Azure-managed domain>. With Ses it must be an address of a verified SES identity.')
param emailFrom string = ''

@description('Start of every subject line (Email:SubjectPrefix).')
param emailSubjectPrefix string = '[SG change]'

@description('Per-instance cap on sends per second (Email:MaxSendsPerSecond), e.g. to stay under the SES sending rate. 0 leaves the setting out (no cap).')
@minValue(0)
param emailMaxSendsPerSecond int = 0

@description('Acs: create an Email Communication Service with an Azure-managed domain and a Communication Services resource linked to it. false: point acsEndpoint at an existing resource and grant the identity a role on it yourself.')
param createAcsEmail bool = true

@description('Acs with createAcsEmail=false: endpoint of the existing Communication Services resource, e.g. https://<name>.<geo>.communication.azure.com.')
param acsEndpoint string = ''

@description('Acs: where ACS keeps its data at rest.')
param acsDataLocation string = 'United States'

@description('Acs: turn off the access keys of the created Communication Services resource so only Entra ID (the managed identity) can send.')
param acsDisableLocalAuth bool = true

@description('Ses: AWS region of the SES identity (Email:Ses:Region).')
param sesRegion string = awsRegion

@description('Ses: optional SES configuration set (Email:Ses:ConfigurationSetName).')
param sesConfigurationSetName string = ''

@description('AWS access key id of the stack\'s IAM user. Stored as a Key Vault secret when given; leave empty to set the secret later with `az keyvault secret set`.')
@secure()
param awsAccessKeyId string = ''

@description('AWS secret access key of the stack\'s IAM user. Stored as a Key Vault secret when given; leave empty to set the secret later.')
@secure()
param awsSecretAccessKey string = ''

// ---------------------------------------------------------------------------------------------------------------------
// Ledger:* (exactly-once bookkeeping)
// ---------------------------------------------------------------------------------------------------------------------

@description('Ledger:Provider. Table uses Azure Table Storage in the app\'s own storage account through the managed identity; Memory is for single-process trials only.')
@allowed([
  'Table'
  'Memory'
])
param ledgerProvider string = 'Table'

@description('Ledger:TableName.')
param ledgerTableName string = 'SgNotifierLedger'

@description('Ledger:RetentionDays: how long ledger entries are kept before the timer purges them.')
@minValue(1)
param ledgerRetentionDays int = 30

// ---------------------------------------------------------------------------------------------------------------------
// Aws:* (optional AWS reads for oversized configuration items)
// ---------------------------------------------------------------------------------------------------------------------

@description('Aws:FetchOversizedItems: read oversized configuration items from the Config bucket (needs s3:GetObject, granted by the AWS stack with EnableOversizedReads=true).')
param awsFetchOversizedItems bool = false

@description('Aws:LookupTagsWithEc2: fall back to ec2:DescribeSecurityGroups for oversized items.')
param awsLookupTagsWithEc2 bool = false

@description('AWS region of the Config recorder and the SES identity (AWS_REGION).')
param awsRegion string = 'us-east-1'

// ---------------------------------------------------------------------------------------------------------------------
// Names and switches
// ---------------------------------------------------------------------------------------------------------------------

var suffix = uniqueString(subscription().id, resourceGroup().id, baseName)
var appName = '${baseName}-${suffix}'
var storageName = 'st${take(suffix, 13)}${take(replace(baseName, '-', ''), 9)}'
var deploymentContainerName = 'app-package'
var keyVaultName = 'kv-${take(baseName, 8)}-${take(suffix, 12)}'

var usesSes = emailProvider == 'Ses'
var usesAcs = emailProvider == 'Acs'
var createsAcs = usesAcs && createAcsEmail
var readsAws = awsFetchOversizedItems || awsLookupTagsWithEc2
// AWS keys are needed for SES and for the optional reads; they live only in Key Vault.
var needsAwsKeys = usesSes || readsAws

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350'
}

var awsAccessKeyIdSecretName = 'aws-access-key-id'
var awsSecretAccessKeySecretName = 'aws-secret-access-key'

// ---------------------------------------------------------------------------------------------------------------------
// Identity, monitoring, storage
// ---------------------------------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra ID token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING below).
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // No account keys: the host, the deployment and the ledger all use the managed identity.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The app also creates the table on start; creating it here makes the first request not pay for it.
resource ledgerTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = if (ledgerProvider == 'Table') {
  parent: tableService
  name: ledgerTableName
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Azure Communication Services Email (optional)
// ---------------------------------------------------------------------------------------------------------------------

resource emailService 'Microsoft.Communication/emailServices@2025-05-01' = if (createsAcs) {
  name: 'ecs-${appName}'
  location: 'global'
  tags: tags
  properties: {
    dataLocation: acsDataLocation
  }
}

// An Azure-managed domain (<guid>.azurecomm.net) sends at once, with SPF and DKIM already in place, but at a low
// quota; add a custom domain for production volumes (docs/deploy.md).
resource emailDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = if (createsAcs) {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-05-01' = if (createsAcs) {
  name: 'acs-${appName}'
  location: 'global'
  tags: tags
  properties: {
    dataLocation: acsDataLocation
    linkedDomains: [
      emailDomain.id
    ]
    disableLocalAuth: acsDisableLocalAuth
  }
}

resource acsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (createsAcs) {
  name: guid(communication.id, identity.id, roles.communicationAndEmailServiceOwner)
  scope: communication
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.communicationAndEmailServiceOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

var effectiveAcsEndpoint = createsAcs ? 'https://${communication!.properties.hostName}' : acsEndpoint
var effectiveEmailFrom = !empty(emailFrom)
  ? emailFrom
  : (createsAcs ? 'DoNotReply@${emailDomain!.properties.mailFromSenderDomain}' : '')

// ---------------------------------------------------------------------------------------------------------------------
// Key Vault for the AWS keys (only when AWS is called)
// ---------------------------------------------------------------------------------------------------------------------

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = if (needsAwsKeys) {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource awsAccessKeyIdSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (needsAwsKeys && !empty(awsAccessKeyId)) {
  parent: vault
  name: awsAccessKeyIdSecretName
  properties: {
    value: awsAccessKeyId
  }
}

resource awsSecretAccessKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (needsAwsKeys && !empty(awsSecretAccessKey)) {
  parent: vault
  name: awsSecretAccessKeySecretName
  properties: {
    value: awsSecretAccessKey
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (needsAwsKeys) {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Versionless references: a rotated secret is picked up without touching the app settings (App Service re-reads
// references within 24 hours, or at once on a restart).
var vaultUri = needsAwsKeys ? vault!.properties.vaultUri : ''
var awsAccessKeyIdReference = '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${awsAccessKeyIdSecretName}/)'
var awsSecretAccessKeyReference = '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${awsSecretAccessKeySecretName}/)'

// ---------------------------------------------------------------------------------------------------------------------
// The function app
// ---------------------------------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var listSettings = union(
  toObject(range(0, length(snsAllowedTopicArns)), i => 'Sns__AllowedTopicArns__${i}', i => string(snsAllowedTopicArns[i])),
  toObject(range(0, length(riskyPorts)), i => 'Notify__RiskyPorts__${i}', i => string(riskyPorts[i])),
  toObject(range(0, length(allowedRecipientDomains)), i => 'Notify__AllowedRecipientDomains__${i}', i => allowedRecipientDomains[i]),
  toObject(range(0, length(fallbackRecipients)), i => 'Notify__FallbackRecipients__${i}', i => fallbackRecipients[i])
)

var hostSettings = {
  // Identity-based host storage: no AzureWebJobsStorage connection string exists anywhere.
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  // DefaultAzureCredential in the app (ACS, Table ledger) picks the user-assigned identity by this id.
  AZURE_CLIENT_ID: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}

var appSettingsCore = {
  Sns__AutoConfirm: string(snsAutoConfirm)
  Sns__MaxMessageAge: snsMaxMessageAge
  Notify__NotifyOnChangeTagKey: notifyOnChangeTagKey
  Notify__OwnerTagKey: ownerTagKey
  Email__Provider: emailProvider
  Email__SubjectPrefix: emailSubjectPrefix
  Ledger__Provider: ledgerProvider
  Ledger__TableEndpoint: 'https://${storage.name}.table.${environment().suffixes.storage}'
  Ledger__TableName: ledgerTableName
  Ledger__RetentionDays: string(ledgerRetentionDays)
  Aws__FetchOversizedItems: string(awsFetchOversizedItems)
  Aws__LookupTagsWithEc2: string(awsLookupTagsWithEc2)
}

// Optional settings are left out rather than set empty, so the app's own defaults and validation apply.
var fromSettings = !empty(effectiveEmailFrom) ? { Email__From: effectiveEmailFrom } : {}

var rateSettings = emailMaxSendsPerSecond > 0 ? { Email__MaxSendsPerSecond: string(emailMaxSendsPerSecond) } : {}

var acsSettings = usesAcs ? { Email__Acs__Endpoint: effectiveAcsEndpoint } : {}

var sesSettings = usesSes
  ? union(
      {
        Email__Ses__Region: sesRegion
        Email__Ses__AccessKeyId: awsAccessKeyIdReference
        Email__Ses__SecretAccessKey: awsSecretAccessKeyReference
      },
      !empty(sesConfigurationSetName) ? { Email__Ses__ConfigurationSetName: sesConfigurationSetName } : {}
    )
  : {}

// The AWS SDK's default chain reads these for the S3 / EC2 lookups.
var awsSettings = readsAws
  ? {
      AWS_REGION: awsRegion
      AWS_ACCESS_KEY_ID: awsAccessKeyIdReference
      AWS_SECRET_ACCESS_KEY: awsSecretAccessKeyReference
    }
  : {}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  dependsOn: [
    deploymentContainer
    blobOwner
  ]
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, appSettingsCore, listSettings, fromSettings, rateSettings, acsSettings, sesSettings, awsSettings)
  dependsOn: [
    queueContributor
    tableContributor
    metricsPublisher
    acsSender
    secretsUser
    awsAccessKeyIdSecret
    awsSecretAccessKeySecret
  ]
}

// ---------------------------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------------------------

output functionAppName string = site.name
output functionAppHostName string = site.properties.defaultHostName

@description('The HTTPS endpoint to subscribe to the SNS topic. SNS cannot send headers, so the function key travels in the query string: replace <function-key> with the key from `az functionapp keys list` (see docs/deploy.md) and never commit the result.')
output snsSubscriptionUrlPattern string = 'https://${site.properties.defaultHostName}/api/sns?code=<function-key>'

output managedIdentityClientId string = identity.properties.clientId
output storageAccountName string = storage.name
output emailFrom string = effectiveEmailFrom
output acsEndpoint string = usesAcs ? effectiveAcsEndpoint : ''
output keyVaultName string = needsAwsKeys ? vault.name : ''
