# The same central and jobs modules as dev/int/prod, applied to the local lakehouse (the emulator).
# Names match core's local profile, so jobs find everything with no extra settings; Glue job runs
# then execute the scripts and wheel this apply uploaded. Run it with `just deploy-local`.

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # Every service's endpoint is the lakehouse's, from AWS_ENDPOINT_URL, which `just push` and
  # `just deploy-local` set (tools/deploy/lakehouse.py). No `endpoints` block: the provider validates
  # its hundreds of attributes in each walk of each command, ~2.5 s of CPU every time, which made
  # provider start-up most of an unchanged push. Run without that variable, a command fails (test
  # credentials, and no account but moto's is allowed) rather than reach a real AWS account.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}

locals {
  tags = { project = "domain-project", environment = "local", managed-by = "terraform" }
  # core.config's local profile: the jobs' defaults when ENV=local.
  buckets = {
    raw       = "domain-project-local-raw"
    curated   = "domain-project-local-curated"
    artifacts = "domain-project-local-artifacts"
    logs      = "domain-project-local-logs"
  }
}

# `just up` creates the stack's buckets so that tools and Glue runs work before any deploy; the first
# apply to such a lakehouse takes them over instead of failing on BucketAlreadyOwnedByYou. AWS
# environments have no such buckets: this block exists only here.
import {
  for_each = { for purpose in ["raw", "curated", "artifacts"] : purpose => local.buckets[purpose] if contains(var.adopt_buckets, local.buckets[purpose]) }
  to       = module.central.module.data_buckets[each.key].aws_s3_bucket.this
  id       = each.value
}

module "central" {
  source                = "../../central"
  environment           = "local"
  bucket_names          = local.buckets
  glue_databases        = module.jobs.glue_catalog_database_names
  log_retention_days    = var.log_retention_days
  force_destroy_buckets = true
  # The emulator's endpoint is plain HTTP: a TLS-only policy would deny every request.
  deny_insecure_transport = false
  # No lifecycle configurations locally (the one difference from AWS besides TLS): the emulator
  # expires nothing, and the AWS provider confirms each new one for a fixed ~55 s whatever S3 answers,
  # which made a fresh apply ~3x slower. The s3_bucket module and dev/int/prod keep them.
  bucket_lifecycle_rules = false
  tags                   = local.tags
}

module "jobs" {
  source             = "../../jobs"
  jobs_root          = "${path.root}/../../../jobs"
  dist_dir           = "${path.root}/../../../dist"
  environment        = "local"
  central            = module.central
  schedules_enabled  = false # the emulator does not fire EventBridge schedules
  log_retention_days = var.log_retention_days
  tags               = local.tags
}
