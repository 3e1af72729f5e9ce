# terraform validate target for the module (run by `just tf-validate`).
provider "aws" {
  region = "eu-west-1"
}

resource "aws_kms_key" "example" {
  # checkov:skip=CKV2_AWS_64:Example key only; terraform/central's key carries the real key policy.
  description         = "example key"
  enable_key_rotation = true
}

module "logs" {
  source               = "../.."
  name                 = "example-logs-bucket"
  receives_access_logs = [{ source_bucket_arn = "arn:aws:s3:::example-data-bucket", prefix = "s3/data/" }]
}

module "data" {
  source         = "../.."
  name           = "example-data-bucket"
  kms_key_arn    = aws_kms_key.example.arn
  access_logging = { target_bucket = module.logs.s3_bucket_id, target_prefix = "s3/data/" }
  lifecycle_rules = {
    expirations = [{ prefix = "tmp/", days = 7 }]
  }
  tags = { example = "true" }
}
