# One AWS account = one environment. dev, int and prod run this same file (a test keeps them
# identical); they differ only in backend.hcl and terraform.tfvars.

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}

locals {
  tags = merge({ project = "domain-project", environment = var.environment, managed-by = "terraform" }, var.tags)
}

module "central" {
  source             = "../../central"
  environment        = var.environment
  glue_databases     = module.jobs.glue_catalog_database_names
  log_retention_days = var.log_retention_days
  failure_emails     = var.failure_emails
  tags               = local.tags
}

module "jobs" {
  source            = "../../jobs"
  jobs_root         = "${path.root}/../../../jobs"
  dist_dir          = "${path.root}/../../../dist"
  failure_topic_arn = module.central.sns_topic_arn
  schedules_enabled = var.schedules_enabled
  platform = {
    environment            = var.environment
    artifacts_bucket       = module.central.s3_bucket_ids["artifacts"]
    raw_bucket             = module.central.s3_bucket_ids["raw"]
    warehouse_bucket       = module.central.s3_bucket_ids["curated"]
    catalog_name           = "lakehouse"
    catalog_api            = var.catalog_api
    warehouse              = module.central.warehouse_uri
    kms_key_arn            = module.central.kms_key_arn
    security_configuration = module.central.glue_security_configuration_name
    base_policy_arn        = module.central.iam_policy_arn
    log_retention_days     = var.log_retention_days
    config = {
      raw_bucket       = module.central.s3_bucket_ids["raw"]
      curated_bucket   = module.central.s3_bucket_ids["curated"]
      artifacts_bucket = module.central.s3_bucket_ids["artifacts"]
      warehouse        = module.central.warehouse_uri
      region           = var.region
    }
    tags = local.tags
  }
}
