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

@description('Only owners in these domains are mailed (Notify:AllowedRecipientDomains). Required: the app refuses to start outside Development without it. A single \'*\' allows every domain, and the app says so loudly.')
@minLength(1)
param allowedRecipientDomains string[]

@description('Optional: only configuration items of these AWS account ids are accepted (Notify:AllowedAccountIds). Empty leaves the setting out.')
param notifyAllowedAccountIds string[] = []

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

@description('Aws:ConfigBucket: the one S3 bucket AWS Config delivers to; oversized items are read from nowhere else. Empty leaves the setting out.')
param awsConfigBucket string = ''

@description('Aws:ConfigBucketOwner: the AWS account id that must own awsConfigBucket (sent as the expected bucket owner). Empty leaves the setting out.')
param awsConfigBucketOwner string = ''

// ---------------------------------------------------------------------------------------------------------------------
// Aws:* (who did it: CloudTrail lookups through per-account roles, with no AWS key in Azure)
// ---------------------------------------------------------------------------------------------------------------------

@description('Aws:WebIdentity:RoleArn: the hub role of deploy/aws/sgnotifier.yaml (its HubRoleArn output) that trusts this deployment\'s managed identity. Empty: no web identity; AWS reads then need the access keys in Key Vault.')
param awsWebIdentityRoleArn string = ''

@description('Aws:WebIdentity:Audience: the audience of the token the managed identity requests, the Application ID URI of the Entra app registration made for AWS (docs/deploy.md, section 14), e.g. api://<app id>. Must equal the hub stack\'s WebIdentityAudience.')
param awsWebIdentityAudience string = ''

@description('Aws:RoleArnTemplate: the reader role in each account, {accountId} replaced by the account of the change.')
param awsRoleArnTemplate string = 'arn:aws:iam::{accountId}:role/SgNotifierReader'

@description('Aws:ExternalId: the ExternalId the member stacks\' reader roles require (ReaderExternalId there).')
param awsExternalId string = ''

@description('Aws:LookupActors: name the person behind each change from CloudTrail. Takes effect only when AWS credentials exist (awsWebIdentityRoleArn, or the AWS read switches with keys).')
param awsLookupActors bool = true

// ---------------------------------------------------------------------------------------------------------------------
// Alerting, health, settings by hand, networking
// ---------------------------------------------------------------------------------------------------------------------

@description('Who receives the alerts (an e-mail receiver of the action group for each address).')
@minLength(1)
param alertEmailAddresses string[]

@description('sns answers with 5xx in 15 minutes before the 5xx alert fires. SNS retries 5xx, so one cold start or one provider blip should not page anyone; actor-pending (Aws:ActorWait) answers 503 by design.')
@minValue(1)
param alert5xxThreshold int = 5

@description('App settings merged last, over everything this template sets: for settings made by hand that must survive a redeploy (the app-settings resource replaces the whole set). Keys use the app setting form, e.g. {\'Notify__RiskyPorts__0\': \'22\'}.')
param extraAppSettings object = {}

@description('Opt-in private networking: a virtual network whose subnet the app integrates with, and private endpoints for the storage account\'s blob and table services (public access to storage then off). The HTTP endpoint stays public, because SNS must reach it.')
param vnetEnabled bool = false

@description('Address space of the virtual network (vnetEnabled). Two /24 subnets are carved from its start.')
param vnetAddressPrefix string = '10.40.0.0/16'

// ---------------------------------------------------------------------------------------------------------------------
// Names and switches
// ---------------------------------------------------------------------------------------------------------------------

var suffix = uniqueString(subscription().id, resourceGroup().id, baseName)
var appName = '${baseName}-${suffix}'
var storageName = 'st${take(suffix, 13)}${take(replace(baseName, '-', ''), 9)}'
var deploymentContainerName = 'app-package'
var azdServiceName = 'functions'
var keyVaultName = 'kv-${take(baseName, 8)}-${take(suffix, 12)}'

var usesSes = emailProvider == 'Ses'
var usesAcs = emailProvider == 'Acs'
var createsAcs = usesAcs && createAcsEmail
var readsAws = awsFetchOversizedItems || awsLookupTagsWithEc2
var usesWebIdentity = !empty(awsWebIdentityRoleArn)
// AWS keys are needed for SES, and for the optional reads unless the managed identity reaches AWS through the hub role;
// they live only in Key Vault.
var needsAwsKeys = usesSes || (readsAws && !usesWebIdentity)
var looksUpActors = awsLookupActors && (usesWebIdentity || readsAws)

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
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
    // With private networking the app reaches blob and table through private endpoints only.
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
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

// No Storage Queue role: nothing in the app or its host uses a queue (HTTP and timer triggers only). The Table role is
// on the ledger table alone, not the account.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (ledgerProvider == 'Table') {
  name: guid(storage.id, ledgerTableName, identity.id, roles.storageTableDataContributor)
  scope: ledgerTable
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
    // A deleted vault (and the AWS keys in it) cannot be purged before its retention ends, by anyone.
    enablePurgeProtection: true
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
// Optional private networking (vnetEnabled), after the azd Flex Consumption quickstart's switch of the same name
// ---------------------------------------------------------------------------------------------------------------------

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = if (vnetEnabled) {
  name: 'vnet-${appName}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        vnetAddressPrefix
      ]
    }
  }

  // Flex Consumption integrates with a subnet delegated to Microsoft.App/environments.
  resource appSubnet 'subnets' = {
    name: 'app'
    properties: {
      addressPrefix: cidrSubnet(vnetAddressPrefix, 24, 0)
      delegations: [
        {
          name: 'flex-consumption'
          properties: {
            serviceName: 'Microsoft.App/environments'
          }
        }
      ]
    }
  }

  resource endpointSubnet 'subnets' = {
    name: 'private-endpoints'
    properties: {
      addressPrefix: cidrSubnet(vnetAddressPrefix, 24, 1)
      privateEndpointNetworkPolicies: 'Disabled'
    }
  }
}

var privateStorageServices = [
  'blob'
  'table'
]

resource storageDnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for service in privateStorageServices: if (vnetEnabled) {
    name: 'privatelink.${service}.${environment().suffixes.storage}'
    location: 'global'
    tags: tags
  }
]

resource storageDnsLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (service, i) in privateStorageServices: if (vnetEnabled) {
    parent: storageDnsZones[i]
    name: 'link-${service}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource blobPrivateEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = if (vnetEnabled) {
  name: 'pe-blob-${appName}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: vnet::endpointSubnet.id
    }
    privateLinkServiceConnections: [
      {
        name: 'blob'
        properties: {
          privateLinkServiceId: storage.id
          groupIds: [
            'blob'
          ]
        }
      }
    ]
  }

  resource zoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: 'blob'
          properties: {
            privateDnsZoneId: storageDnsZones[0].id
          }
        }
      ]
    }
  }
}

resource tablePrivateEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = if (vnetEnabled) {
  name: 'pe-table-${appName}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: vnet::endpointSubnet.id
    }
    privateLinkServiceConnections: [
      {
        name: 'table'
        properties: {
          privateLinkServiceId: storage.id
          groupIds: [
            'table'
          ]
        }
      }
    ]
  }

  resource zoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: 'table'
          properties: {
            privateDnsZoneId: storageDnsZones[1].id
          }
        }
      ]
    }
  }
}

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
  toObject(range(0, length(fallbackRecipients)), i => 'Notify__FallbackRecipients__${i}', i => fallbackRecipients[i]),
  toObject(range(0, length(notifyAllowedAccountIds)), i => 'Notify__AllowedAccountIds__${i}', i => notifyAllowedAccountIds[i])
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
  Aws__LookupActors: string(looksUpActors)
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

// The AWS SDK's default chain reads these for the S3 / EC2 lookups when no web identity is configured.
var awsKeySettings = readsAws && !usesWebIdentity
  ? {
      AWS_ACCESS_KEY_ID: awsAccessKeyIdReference
      AWS_SECRET_ACCESS_KEY: awsSecretAccessKeyReference
    }
  : {}

var awsRegionSettings = readsAws || usesWebIdentity ? { AWS_REGION: awsRegion } : {}

// No AWS key in Azure: the managed identity's token for the audience buys the hub role (AssumeRoleWithWebIdentity),
// which assumes each account's reader role with the ExternalId.
var webIdentitySettings = usesWebIdentity
  ? {
      Aws__WebIdentity__RoleArn: awsWebIdentityRoleArn
      Aws__WebIdentity__Audience: awsWebIdentityAudience
      Aws__WebIdentity__ClientId: identity.properties.clientId
      Aws__RoleArnTemplate: awsRoleArnTemplate
      Aws__ExternalId: awsExternalId
    }
  : {}

var configBucketSettings = union(
  !empty(awsConfigBucket) ? { Aws__ConfigBucket: awsConfigBucket } : {},
  !empty(awsConfigBucketOwner) ? { Aws__ConfigBucketOwner: awsConfigBucketOwner } : {}
)

var awsSettings = union(awsKeySettings, awsRegionSettings, webIdentitySettings, configBucketSettings)

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd deploys the service named in azure.yaml to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': azdServiceName })
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
    virtualNetworkSubnetId: vnetEnabled ? vnet::appSubnet.id : null
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
    blobPrivateEndpoint
    tablePrivateEndpoint
  ]
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  // extraAppSettings last: a setting made by hand and passed here wins over the template's and survives redeploys.
  properties: union(hostSettings, appSettingsCore, listSettings, fromSettings, rateSettings, acsSettings, sesSettings, awsSettings, extraAppSettings)
  dependsOn: [
    tableContributor
    metricsPublisher
    acsSender
    secretsUser
    awsAccessKeyIdSecret
    awsSecretAccessKeySecret
  ]
}


// ---------------------------------------------------------------------------------------------------------------------
// Alerting: an action group, log alerts on what loses or refuses mail, an availability test of /api/health
// ---------------------------------------------------------------------------------------------------------------------

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${appName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('sgn${suffix}', 12)
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// The app's SNS endpoint; the health probe and the purge timer are requests too and must not count as SNS traffic.
var snsRequests = 'requests | where name =~ \'sns\' or url has \'/api/sns\''

// Event ids of Log.cs that mean a change was not mailed or mail will stop: 2007 not notified, 3102 refused for good,
// 3103 mailed but not recorded, 1021 confirmation refused, 1023 unsubscribed; and a body refused as too large (413).
var lostMailEventIds = [
  '2007'
  '3102'
  '3103'
  '1021'
  '1023'
]

var logAlerts = [
  {
    name: 'sns-5xx'
    severity: 2
    description: 'The sns endpoint answered 5xx more than ${alert5xxThreshold} times in 15 minutes. SNS retries these for about an hour, then dead-letters them (docs/deploy.md, section 11).'
    query: '${snsRequests} | where toint(resultCode) >= 500'
    operator: 'GreaterThan'
    threshold: alert5xxThreshold
    window: 'PT15M'
    frequency: 'PT5M'
    override: ''
  }
  {
    name: 'sns-4xx'
    severity: 2
    // 401 is left out: anyone on the internet can POST without a key and get one. A 401 to SNS (a rotated key) shows
    // in the AWS hub's FunctionAnswered4xxAlarm and, here, as the 25-hour silence.
    description: 'The sns endpoint answered 4xx other than 401. SNS counts 4xx as delivered: the message is neither retried nor dead-lettered (403 topic-not-allowed, 413 too-large, 400; docs/deploy.md, section 11.1).'
    query: '${snsRequests} | where toint(resultCode) between (400 .. 499) and resultCode != \'401\''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
    frequency: 'PT5M'
    override: ''
  }
  {
    name: 'mail-lost-or-refused'
    severity: 1
    description: 'A change was not mailed to anyone, the provider refused a mail for good, a mail went out without being recorded, SNS refused a confirmation, the subscription was removed, or SNS sent a body too large to read (event ids ${join(lostMailEventIds, ', ')}; reason too-large).'
    query: 'traces | extend eventId = tostring(customDimensions.EventId), reason = tostring(customDimensions.Reason) | where eventId in (${join(map(lostMailEventIds, id => '\'${id}\''), ', ')}) or reason == \'too-large\''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT5M'
    frequency: 'PT5M'
    override: ''
  }
  {
    name: 'unsubscribed'
    severity: 0
    description: 'SNS sent an UnsubscribeConfirmation (event 1023): no more changes will arrive from that topic until it is subscribed again (docs/deploy.md, section 6).'
    query: 'traces | where tostring(customDimensions.EventId) == \'1023\' or message has \'UnsubscribeConfirmation\''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT5M'
    frequency: 'PT5M'
    override: ''
  }
  {
    name: 'ledger-purge-failed'
    severity: 3
    description: 'The daily ledger-purge timer failed: the ledger table grows until it runs again.'
    query: 'union (requests | where name =~ \'ledger-purge\' and success == false), (exceptions | where operation_Name =~ \'ledger-purge\')'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT1H'
    frequency: 'PT1H'
    override: ''
  }
  {
    // AWS Config delivers a configuration snapshot to the topic every 24 hours (the AWS stacks set
    // DeliveryFrequency: TwentyFour_Hours), so a healthy subscription answers at least one SNS request a day.
    name: 'no-sns-request-25h'
    severity: 1
    description: 'No SNS request answered 2xx for 25 hours, although AWS Config delivers a snapshot notification every 24 hours: the subscription, the function key, the topic or Config is broken (docs/deploy.md, section 11).'
    query: '${snsRequests} | where timestamp > ago(25h) and toint(resultCode) between (200 .. 299)'
    operator: 'LessThan'
    threshold: 1
    window: 'PT1H'
    frequency: 'PT1H'
    override: 'P2D'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: 'alert-${alert.name}-${appName}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'SgNotifier: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        appInsights.id
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      overrideQueryTimeRange: empty(alert.override) ? null : alert.override
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: alert.operator
            threshold: alert.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

var healthUrl = 'https://${site.properties.defaultHostName}/api/health'

// A standard test from five locations against the anonymous health endpoint (200 healthy, 503 not).
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'webtest-health-${appName}'
  location: location
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'webtest-health-${appName}'
    Name: 'SgNotifier health'
    Description: 'GET /api/health must answer 200: settings valid, ledger reachable, mail provider configured.'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'us-ca-sjc-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'emea-gb-db3-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: healthUrl
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
  dependsOn: [
    appSettings
  ]
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-health-${appName}'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health failed from at least two locations: the app does not start, its settings are invalid, the ledger or the mail provider is unreachable.'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsights.id
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------------------------

output functionAppName string = site.name
output functionAppHostName string = site.properties.defaultHostName

@description('The HTTPS endpoint to subscribe to the SNS topic. SNS cannot send headers, so the function key travels in the query string: replace <function-key> with the key from `az functionapp keys list` (see docs/deploy.md) and never commit the result.')
output snsSubscriptionUrlPattern string = 'https://${site.properties.defaultHostName}/api/sns?code=<function-key>'

@description('The same pattern under the name azd gives environment variables, for the postprovision hook of azure.yaml.')
output SNS_SUBSCRIPTION_URL_PATTERN string = 'https://${site.properties.defaultHostName}/api/sns?code=<function-key>'

output managedIdentityClientId string = identity.properties.clientId

@description('The managed identity\'s object (principal) id: the sub claim of its tokens, which the AWS hub role\'s trust policy checks (ManagedIdentityPrincipalId of deploy/aws/sgnotifier.yaml).')
output managedIdentityPrincipalId string = identity.properties.principalId

@description('The Entra tenant: the AWS OIDC provider is https://sts.windows.net/<this>/ (EntraTenantId of deploy/aws/sgnotifier.yaml).')
output tenantId string = tenant().tenantId

output healthUrl string = healthUrl
output applicationInsightsName string = appInsights.name
output actionGroupName string = actionGroup.name
output storageAccountName string = storage.name
output emailFrom string = effectiveEmailFrom
output acsEndpoint string = usesAcs ? effectiveAcsEndpoint : ''
output keyVaultName string = needsAwsKeys ? vault.name : ''
