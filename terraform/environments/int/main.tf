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
  source             = "../../jobs"
  jobs_root          = "${path.root}/../../../jobs"
  dist_dir           = "${path.root}/../../../dist"
  environment        = var.environment
  central            = module.central
  catalog_api        = var.catalog_api
  schedules_enabled  = var.schedules_enabled
  log_retention_days = var.log_retention_days
  tags               = local.tags
}
