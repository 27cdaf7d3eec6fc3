// Parameters for deploy/azure/main.bicep, read from environment variables so that the same file serves
//   az deployment group create -g <resource-group> -f deploy/azure/main.bicep -p deploy/azure/main.bicepparam
// and `azd up` / `azd provision` (azd uses deploy/azure/main.bicepparam because azure.yaml names infra module `main`,
// and passes the values of `azd env set NAME value` to it as environment variables).
// The required variables have no default: build-params fails and names the missing one. Lists are comma-separated.
// Secrets (AWS keys) are never read here: pass them on the command line or set them in Key Vault afterwards.
using 'main.bicep'

param baseName = readEnvironmentVariable('SGNOTIFIER_BASE_NAME', 'sgnotifier')

// REQUIRED: the hub topic in each region (TopicArn output of deploy/aws/sgnotifier.yaml), e.g.
// arn:aws:sns:us-east-1:111122223333:sgnotifier-config-changes,arn:aws:sns:eu-west-1:111122223333:sgnotifier-config-changes
param snsAllowedTopicArns = split(readEnvironmentVariable('SNS_ALLOWED_TOPIC_ARNS'), ',')

// REQUIRED: owners outside these domains are never mailed, e.g. example.com,example.org
param allowedRecipientDomains = split(readEnvironmentVariable('ALLOWED_RECIPIENT_DOMAINS'), ',')

// REQUIRED: who is told when mail stops or is lost.
param alertEmailAddresses = split(readEnvironmentVariable('ALERT_EMAIL_ADDRESSES'), ',')

// Who hears about opted-in groups that name no valid owner (empty: nobody).
var fallback = readEnvironmentVariable('FALLBACK_RECIPIENTS', '')
param fallbackRecipients = empty(fallback) ? [] : split(fallback, ',')

// Optional: only configuration items of these AWS accounts are accepted (empty: any account of the allowed topics).
var accounts = readEnvironmentVariable('NOTIFY_ALLOWED_ACCOUNT_IDS', '')
param notifyAllowedAccountIds = empty(accounts) ? [] : split(accounts, ',')

// 'Acs' sends through an Azure-managed domain created here and needs no secret at all.
// 'Ses' needs an SES identity and the AWS keys of the stack's IAM user (docs/deploy.md, "Choosing SES").
param emailProvider = readEnvironmentVariable('EMAIL_PROVIDER', 'Acs')
param emailFrom = readEnvironmentVariable('EMAIL_FROM', '')

param awsRegion = readEnvironmentVariable('AWS_REGION', 'us-east-1')

// Who did it (docs/deploy.md, section 14): the hub role, the token audience and the member roles' ExternalId.
param awsWebIdentityRoleArn = readEnvironmentVariable('AWS_WEB_IDENTITY_ROLE_ARN', '')
param awsWebIdentityAudience = readEnvironmentVariable('AWS_WEB_IDENTITY_AUDIENCE', '')
param awsExternalId = readEnvironmentVariable('AWS_EXTERNAL_ID', '')
param awsConfigBucket = readEnvironmentVariable('AWS_CONFIG_BUCKET', '')
param awsConfigBucketOwner = readEnvironmentVariable('AWS_CONFIG_BUCKET_OWNER', '')
param awsFetchOversizedItems = !empty(readEnvironmentVariable('AWS_CONFIG_BUCKET', ''))

param vnetEnabled = bool(readEnvironmentVariable('VNET_ENABLED', 'false'))
