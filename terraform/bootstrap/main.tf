# One-time bootstrap of an environment's AWS account, applied by an administrator (see README):
# the remote-state bucket, the GitHub OIDC provider and the deploy role that GitHub Actions
# assumes. The role trusts only this repository's jobs running in this environment's GitHub
# environments (<env> to apply, <env>-plan to plan) and can touch only the domain's resources.
# Its own state stays local to the administrator (or is imported into the bucket it creates).

provider "aws" {
  region = var.region

  default_tags {
    tags = { project = "domain-project", environment = var.environment, managed-by = "terraform-bootstrap" }
  }
}

data "aws_caller_identity" "this" {}

locals {
  account      = data.aws_caller_identity.this.account_id
  github_host  = "token.actions.githubusercontent.com"
  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : "arn:aws:iam::${local.account}:oidc-provider/${local.github_host}"
  # GitHub puts the environment in the subject claim of jobs that declare one.
  subjects = [for name in [var.environment, "${var.environment}-plan"] : "repo:${var.github_repository}:environment:${name}"]
}

# The access-log bucket is created later by central/, which this bootstrap precedes; the state
# bucket's reads and writes are already in CloudTrail (data events) where the account enables them.
#trivy:ignore:AVD-AWS-0089
module "state_bucket" {
  source = "../modules/s3_bucket"
  name   = "domain-project-tfstate-${var.environment}-${local.account}"
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.github_host}"
  client_id_list = ["sts.amazonaws.com"]
}

module "deploy_role" {
  source      = "../modules/iam_role"
  name        = "domain-project-deploy-${var.environment}"
  description = "GitHub Actions deploys of ${var.github_repository} to ${var.environment}"
  trust = {
    oidc = {
      provider_arn = local.provider_arn
      audience     = "sts.amazonaws.com"
      claim_prefix = local.github_host
      subjects     = local.subjects
    }
  }
  statements = local.deploy_statements
}
