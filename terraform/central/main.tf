# What every job and pipeline of the environment shares: the domain KMS key, the buckets, the
# Glue databases and security configuration, the default Glue log groups, the failure topic
# and the base policy every job role gets.

data "aws_caller_identity" "this" {}
data "aws_region" "this" {}
data "aws_partition" "this" {}

locals {
  account = data.aws_caller_identity.this.account_id
  p       = data.aws_partition.this.partition
  name    = "${var.project}-${var.environment}"
  buckets = {
    for purpose in ["raw", "curated", "artifacts", "logs"] :
    purpose => coalesce(lookup(var.bucket_names, purpose, null), "${local.name}-${purpose}-${local.account}")
  }
  glue_log_groups = ["/aws-glue/jobs/output", "/aws-glue/jobs/error", "/aws-glue/jobs/logs-v2"]
}

data "aws_iam_policy_document" "key" {
  # checkov:skip=CKV_AWS_109:A key policy's "*" resource is the key itself; the account administers its own key.
  # checkov:skip=CKV_AWS_111:A key policy's "*" resource is the key itself; writes are limited to this key.
  # checkov:skip=CKV_AWS_356:A key policy's "*" resource is the key itself, not every resource.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.p}:iam::${local.account}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.this.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.p}:logs:${data.aws_region.this.name}:${local.account}:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${local.name}: data, logs, notifications"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

module "logs_bucket" {
  source = "../modules/s3_bucket"
  name   = local.buckets.logs
  # Server access log delivery requires SSE-S3 on the target bucket.
  kms_key_arn             = null
  force_destroy           = var.force_destroy_buckets
  deny_insecure_transport = var.deny_insecure_transport
  lifecycle_rules_enabled = var.bucket_lifecycle_rules
  receives_access_logs = [
    for purpose in ["raw", "curated", "artifacts"] : { source_bucket_arn = "arn:${local.p}:s3:::${local.buckets[purpose]}", prefix = "s3/${purpose}/" }
  ]
  lifecycle_rules = {
    expirations = [{ prefix = "s3/", days = 365 }]
  }
  tags = var.tags
}

module "data_buckets" {
  source   = "../modules/s3_bucket"
  for_each = { for purpose in ["raw", "curated", "artifacts"] : purpose => local.buckets[purpose] }

  name                    = each.value
  kms_key_arn             = aws_kms_key.this.arn
  force_destroy           = var.force_destroy_buckets
  deny_insecure_transport = var.deny_insecure_transport
  lifecycle_rules_enabled = var.bucket_lifecycle_rules
  # Waits only for the logs bucket's policy (log delivery granted), not its lifecycle configuration,
  # which the AWS provider confirms for ~55 s.
  access_logging = { target_bucket = module.logs_bucket.log_target_bucket_id, target_prefix = "s3/${each.key}/" }
  lifecycle_rules = {
    expirations = each.key == "artifacts" ? [{ prefix = "tmp/", days = 7 }, { prefix = "spark-logs/", days = 30 }] : []
  }
  tags = var.tags
}

resource "aws_glue_catalog_database" "this" {
  for_each = toset(var.glue_databases)

  name         = each.value
  description  = "Iceberg namespace ${each.value} of ${var.project}"
  location_uri = "s3://${local.buckets.curated}/${var.warehouse_prefix}/${each.value}.db"
  tags         = var.tags
}

resource "aws_glue_security_configuration" "this" {
  name = local.name

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.this.arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.this.arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.this.arn
    }
  }
}

resource "aws_cloudwatch_log_group" "glue" {
  # checkov:skip=CKV_AWS_338:Retention is chosen per environment (prod 365 days, dev 90, local 7).
  for_each = toset(local.glue_log_groups)

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic" "failures" {
  name              = "${local.name}-pipeline-failures"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "failures" {
  for_each = toset(var.failure_emails)

  topic_arn = aws_sns_topic.failures.arn
  protocol  = "email"
  endpoint  = each.value
}

data "aws_iam_policy_document" "job_base" {
  statement {
    sid       = "ReadDeployedCode"
    actions   = ["s3:GetObject"]
    resources = ["${module.data_buckets["artifacts"].s3_bucket_arn}/jobs/*", "${module.data_buckets["artifacts"].s3_bucket_arn}/libs/*"]
  }

  statement {
    sid       = "DefaultGlueLogGroups"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = flatten([for group in aws_cloudwatch_log_group.glue : [group.arn, "${group.arn}:*"]])
  }

  statement {
    sid       = "DecryptDeployedCode"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_policy" "job_base" {
  name        = "${local.name}-glue-job-base"
  description = "What every Glue job of ${local.name} needs: its code, the default Glue log groups"
  policy      = data.aws_iam_policy_document.job_base.json
  tags        = var.tags
}
