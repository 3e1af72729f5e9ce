# terraform validate target for the module (run by `just tf-validate`).
provider "aws" {
  region = "eu-west-1"
}

module "pipeline" {
  source            = "../.."
  name              = "sales_daily"
  description       = "Customers, then sales"
  stages            = [["customers_customer_delta"], ["sales_daily_sales", "sales_returns"]]
  failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:pipeline-failures"
  kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  schedule          = "cron(0 6 * * ? *)"
}
