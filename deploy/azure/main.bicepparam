// Parameters for deploy/azure/main.bicep. Copy this file, change the values marked CHANGE, and deploy with
//   az deployment group create -g <resource-group> -f deploy/azure/main.bicep -p <your copy>.bicepparam
// Secrets (AWS keys) are never written here: pass them on the command line or set them in Key Vault afterwards.
using 'main.bicep'

param baseName = 'sgnotifier'

// CHANGE: the topic the AWS stack creates (TopicName parameter there) in your account and region.
param snsAllowedTopicArns = [
  'arn:aws:sns:us-east-1:123456789012:sgnotifier-config-changes'
]

// 'Acs' sends through an Azure-managed domain created here and needs no secret at all.
// 'Ses' needs an SES identity and the AWS keys of the stack's IAM user (docs/deploy.md, "Choosing SES").
param emailProvider = 'Acs'
param emailFrom = ''
param emailSubjectPrefix = '[SG change]'

// CHANGE: who hears about opted-in groups that name no valid owner.
param fallbackRecipients = [
  'cloud-security@example.com'
]
param allowedRecipientDomains = []
param riskyPorts = []

param notifyOnChangeTagKey = 'NotifyOnChange'
param ownerTagKey = 'OwnerDL'

param ledgerProvider = 'Table'
param ledgerRetentionDays = 30

param awsRegion = 'us-east-1'
param awsFetchOversizedItems = false
param awsLookupTagsWithEc2 = false
