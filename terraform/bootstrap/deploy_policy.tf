# What `terraform apply` of environments/<env> needs, and no more: named actions only, resources
# limited to the domain's name prefixes wherever AWS can scope them.

locals {
  p      = "arn:aws:iam::${local.account}"
  prefix = "domain-project-${var.environment}"
  region = "arn:aws:%s:${var.region}:${local.account}"

  deploy_statements = [
    {
      sid        = "TerraformState"
      actions    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources  = ["${module.state_bucket.s3_bucket_arn}/domain-project/${var.environment}/*"]
      conditions = []
    },
    {
      sid        = "TerraformStateList"
      actions    = ["s3:ListBucket"]
      resources  = [module.state_bucket.s3_bucket_arn]
      conditions = []
    },
    {
      sid        = "DomainBuckets"
      actions    = ["s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:ListBucket", "s3:ListBucketVersions", "s3:Get*", "s3:Put*", "s3:DeleteObject", "s3:DeleteObjectVersion"]
      resources  = ["arn:aws:s3:::${local.prefix}-*", "arn:aws:s3:::${local.prefix}-*/*"]
      conditions = []
    },
    {
      # CreateKey cannot be scoped to a resource; the request must carry the domain's tag.
      sid        = "CreateDomainKey"
      actions    = ["kms:CreateKey"]
      resources  = ["*"]
      conditions = [{ test = "StringEquals", variable = "aws:RequestTag/project", values = ["domain-project"] }]
    },
    {
      sid        = "ManageDomainKey"
      actions    = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
      resources  = ["arn:aws:kms:${var.region}:${local.account}:key/*", "arn:aws:kms:${var.region}:${local.account}:alias/${local.prefix}"]
      conditions = [{ test = "StringEquals", variable = "aws:ResourceTag/project", values = ["domain-project"] }]
    },
    {
      sid        = "ListKeys"
      actions    = ["kms:ListAliases"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid        = "DomainRolesAndPolicies"
      actions    = ["iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListInstanceProfilesForRole", "iam:CreatePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy"]
      resources  = ["${local.p}:role/${var.environment}-glue-*", "${local.p}:role/pipeline-*", "${local.p}:role/schedule-*", "${local.p}:policy/${local.prefix}-*"]
      conditions = []
    },
    {
      sid        = "PassDomainRoles"
      actions    = ["iam:PassRole"]
      resources  = ["${local.p}:role/${var.environment}-glue-*", "${local.p}:role/pipeline-*", "${local.p}:role/schedule-*"]
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["glue.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"] }]
    },
    {
      sid        = "GlueJobsAndDatabases"
      actions    = ["glue:CreateJob", "glue:UpdateJob", "glue:DeleteJob", "glue:GetJob", "glue:GetTags", "glue:TagResource", "glue:UntagResource", "glue:CreateDatabase", "glue:GetDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase"]
      resources  = [format("${local.region}:job/*", "glue"), format("${local.region}:catalog", "glue"), format("${local.region}:database/*", "glue")]
      conditions = []
    },
    {
      # Glue security configurations have no ARN: these actions take no resource-level scoping.
      sid        = "GlueSecurityConfiguration"
      actions    = ["glue:CreateSecurityConfiguration", "glue:GetSecurityConfiguration", "glue:DeleteSecurityConfiguration"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid        = "Pipelines"
      actions    = ["states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine", "states:ListStateMachineVersions", "states:TagResource", "states:UntagResource", "states:ListTagsForResource"]
      resources  = [format("${local.region}:stateMachine:*", "states")]
      conditions = []
    },
    {
      sid        = "ValidatePipelines"
      actions    = ["states:ValidateStateMachineDefinition"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid        = "LogGroups"
      actions    = ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"]
      resources  = [format("${local.region}:log-group:/aws-glue/*", "logs"), format("${local.region}:log-group:/aws/vendedlogs/states/*", "logs")]
      conditions = []
    },
    {
      sid        = "DescribeLogGroups"
      actions    = ["logs:DescribeLogGroups"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid        = "Schedules"
      actions    = ["events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule", "events:TagResource", "events:ListTagsForResource"]
      resources  = [format("${local.region}:rule/pipeline-*", "events")]
      conditions = []
    },
    {
      sid        = "FailureTopic"
      actions    = ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:TagResource", "sns:ListTagsForResource"]
      resources  = [format("${local.region}:${local.prefix}-*", "sns")]
      conditions = []
    },
  ]
}
