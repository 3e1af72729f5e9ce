# terraform validate target for the module (run by `just tf-validate`).
provider "aws" {
  region = "eu-west-1"
}

module "service_role" {
  source      = "../.."
  name        = "example-glue-job"
  description = "example Glue job role"
  trust       = { service_principals = ["glue.amazonaws.com"] }
  statements = [{
    sid       = "ReadInput"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-bucket/input/*"]
  }]
}

module "federated_role" {
  source      = "../.."
  name        = "example-deploy"
  description = "example deploy role for GitHub Actions"
  trust = {
    oidc = {
      provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
      audience     = "sts.amazonaws.com"
      claim_prefix = "token.actions.githubusercontent.com"
      subjects     = ["repo:example/repo:environment:dev"]
    }
  }
}
