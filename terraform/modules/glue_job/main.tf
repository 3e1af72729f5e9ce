# One Glue 5.1 job from its manifest entry: the job itself (script and core wheel from the
# artifacts bucket, Iceberg registered exactly as core registers it locally), its own log group
# and a least-privilege role that reaches only what the manifest says the job reads and writes.

data "aws_caller_identity" "this" {}
data "aws_region" "this" {}
data "aws_partition" "this" {}

module "spark_conf" {
  source       = "./spark_conf"
  catalog_name = var.platform.catalog_name
  warehouse    = var.platform.warehouse
  catalog_api  = var.platform.catalog_api
  region       = data.aws_region.this.name
  catalog_id   = local.glue_rest ? data.aws_caller_identity.this.account_id : null
}

locals {
  p            = data.aws_partition.this.partition
  glue_arn     = "arn:${local.p}:glue:${data.aws_region.this.name}:${data.aws_caller_identity.this.account_id}"
  log_arn      = "arn:${local.p}:logs:${data.aws_region.this.name}:${data.aws_caller_identity.this.account_id}"
  log_group    = "/aws-glue/jobs/${var.job.name}"
  script_key   = "jobs/${coalesce(var.job.script_dir, var.job.domain)}/${var.job.script}"
  artifacts    = "s3://${var.platform.artifacts_bucket}"
  glue_rest    = var.platform.catalog_api == "glue_rest"
  warehouse_at = trim(trimprefix(var.platform.warehouse, "s3://${var.platform.warehouse_bucket}"), "/")

  # Writing a table needs reading it (MERGE, overwrite), so written tables are read too.
  tables_used    = distinct(concat(var.job.reads_tables, var.job.writes_tables))
  namespaces     = distinct([for t in local.tables_used : split(".", t)[0]])
  table_prefixes = { for t in local.tables_used : t => join("/", compact([local.warehouse_at, "${split(".", t)[0]}.db", split(".", t)[1]])) }
  scratch        = ["tmp/${var.job.name}/", "spark-logs/${var.job.name}/"]

  statements = concat(
    length(var.job.reads_raw) == 0 ? [] : [
      {
        sid        = "ReadRawPrefixes"
        actions    = ["s3:GetObject"]
        resources  = [for prefix in var.job.reads_raw : "arn:${local.p}:s3:::${var.platform.raw_bucket}/${prefix}*"]
        conditions = []
      },
      {
        sid        = "ListRawPrefixes"
        actions    = ["s3:ListBucket"]
        resources  = ["arn:${local.p}:s3:::${var.platform.raw_bucket}"]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = [for prefix in var.job.reads_raw : "${prefix}*"] }]
      },
    ],
    length(local.tables_used) == 0 ? [] : [
      {
        sid = "ReadTableMetadata"
        # Glue's Iceberg REST endpoint also reads the catalog itself (GET /v1/config).
        actions = concat(["glue:GetDatabase", "glue:GetTable", "glue:GetTables"], local.glue_rest ? ["glue:GetCatalog"] : [])
        resources = concat(
          ["${local.glue_arn}:catalog"],
          [for ns in local.namespaces : "${local.glue_arn}:database/${ns}"],
          [for t in local.tables_used : "${local.glue_arn}:table/${replace(t, ".", "/")}"],
        )
        conditions = []
      },
      {
        sid        = "ReadTableData"
        actions    = ["s3:GetObject"]
        resources  = [for t in local.tables_used : "arn:${local.p}:s3:::${var.platform.warehouse_bucket}/${local.table_prefixes[t]}/*"]
        conditions = []
      },
      {
        sid        = "ListTableData"
        actions    = ["s3:ListBucket"]
        resources  = ["arn:${local.p}:s3:::${var.platform.warehouse_bucket}"]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = [for t in local.tables_used : "${local.table_prefixes[t]}/*"] }]
      },
    ],
    length(var.job.writes_tables) == 0 ? [] : [
      {
        sid        = "CommitTables"
        actions    = ["glue:CreateTable", "glue:UpdateTable"]
        resources  = concat(["${local.glue_arn}:catalog"], [for ns in local.namespaces : "${local.glue_arn}:database/${ns}"], [for t in var.job.writes_tables : "${local.glue_arn}:table/${replace(t, ".", "/")}"])
        conditions = []
      },
      {
        sid        = "WriteTableData"
        actions    = ["s3:PutObject", "s3:DeleteObject"]
        resources  = [for t in var.job.writes_tables : "arn:${local.p}:s3:::${var.platform.warehouse_bucket}/${local.table_prefixes[t]}/*"]
        conditions = []
      },
    ],
    [
      {
        sid        = "ScratchSpace"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources  = [for prefix in local.scratch : "arn:${local.p}:s3:::${var.platform.artifacts_bucket}/${prefix}*"]
        conditions = []
      },
      {
        sid        = "OwnLogGroup"
        actions    = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        resources  = ["${local.log_arn}:log-group:${local.log_group}", "${local.log_arn}:log-group:${local.log_group}:*"]
        conditions = []
      },
      {
        sid        = "DomainKey"
        actions    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        resources  = [var.platform.kms_key_arn]
        conditions = []
      },
      {
        # PutMetricData has no resource-level permissions; the namespace condition scopes it.
        sid        = "GlueMetrics"
        actions    = ["cloudwatch:PutMetricData"]
        resources  = ["*"]
        conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["Glue"] }]
      },
    ],
  )

  default_arguments = merge(
    {
      "--job-language"                     = "python"
      "--extra-py-files"                   = "${local.artifacts}/${var.platform.core_wheel_key}"
      "--datalake-formats"                 = "iceberg"
      "--conf"                             = module.spark_conf.spark_conf_argument
      "--job-bookmark-option"              = "job-bookmark-disable" # bookmarks do not apply to Iceberg sources
      "--enable-continuous-cloudwatch-log" = "true"
      "--continuous-log-logGroup"          = local.log_group
      "--enable-continuous-log-filter"     = "true"
      "--enable-metrics"                   = "true"
      "--enable-observability-metrics"     = "true"
      "--enable-auto-scaling"              = "true"
      "--enable-spark-ui"                  = "true"
      "--spark-event-logs-path"            = "${local.artifacts}/spark-logs/${var.job.name}/"
      "--TempDir"                          = "${local.artifacts}/tmp/${var.job.name}/"
      "--ENV"                              = var.platform.environment
    },
    { for key, value in var.platform.config : "--DOMAIN_PROJECT_${upper(key)}" => value },
    # core's view of the catalog follows the --conf chain (its AWS profile default is glue).
    local.glue_rest ? {
      "--DOMAIN_PROJECT_CATALOG_TYPE"    = "glue_rest"
      "--DOMAIN_PROJECT_GLUE_CATALOG_ID" = data.aws_caller_identity.this.account_id
    } : {},
    { for key, value in var.job.arguments : "--${key}" => value },
  )
  tags = merge(var.platform.tags, { "domain-project:job" = var.job.name, "domain-project:domain" = var.job.domain })
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338:Retention is chosen per environment (prod 365 days, dev 90, local 7).
  name              = local.log_group
  retention_in_days = var.platform.log_retention_days
  kms_key_id        = var.platform.kms_key_arn
  tags              = local.tags
}

module "role" {
  source              = "../iam_role"
  name                = "${var.platform.environment}-glue-${var.job.name}"
  description         = "Glue job ${var.job.name}: only what jobs/${var.job.domain}/jobs.yaml declares"
  trust               = { service_principals = ["glue.amazonaws.com"] }
  statements          = local.statements
  managed_policy_arns = { job_base = var.platform.base_policy_arn }
  tags                = local.tags
}

resource "aws_glue_job" "this" {
  name                   = var.job.name
  description            = var.job.description
  role_arn               = module.role.iam_role_arn
  glue_version           = var.platform.glue_version
  worker_type            = var.job.worker_type
  number_of_workers      = var.job.number_of_workers
  timeout                = var.job.timeout_minutes
  max_retries            = var.job.max_retries
  execution_class        = var.job.execution_class
  security_configuration = var.platform.security_configuration
  default_arguments      = local.default_arguments
  tags                   = local.tags

  command {
    name            = "glueetl"
    script_location = "${local.artifacts}/${local.script_key}"
    python_version  = "3"
  }

  execution_property {
    max_concurrent_runs = var.job.max_concurrent_runs
  }

  depends_on = [aws_cloudwatch_log_group.this]
}

# A scheduled job (the manifest's maintenance block) is started by a Glue trigger with the job's own
# default arguments; no EventBridge role is needed. Named as tools/manifest/model.py MaintenanceSpec names it.
resource "aws_glue_trigger" "schedule" {
  count = var.job.schedule == null ? 0 : 1

  name        = "${var.job.name}_schedule"
  description = "Starts ${var.job.name} on ${var.job.schedule}"
  type        = "SCHEDULED"
  schedule    = var.job.schedule
  enabled     = var.platform.schedules_enabled
  tags        = local.tags

  actions {
    job_name = aws_glue_job.this.name
  }
}
