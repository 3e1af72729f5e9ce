# terraform validate target for the module (run by `just tf-validate`).
provider "aws" {
  region = "eu-west-1"
}

module "job" {
  source = "../.."
  job = {
    name          = "sales_daily_sales"
    domain        = "sales"
    script        = "job_daily_sales.py"
    description   = "Raw orders to sales.orders and sales.daily_sales"
    reads_raw     = ["sales/orders/"]
    reads_tables  = ["sales.orders"]
    writes_tables = ["sales.orders", "sales.daily_sales"]
    arguments     = { lookback_days = "3" }
  }
  platform = {
    environment            = "dev"
    artifacts_bucket       = "example-artifacts"
    core_wheel_key         = "libs/domain_project-0.1.0-py3-none-any.whl"
    raw_bucket             = "example-raw"
    warehouse_bucket       = "example-curated"
    catalog_name           = "lakehouse"
    warehouse              = "s3://example-curated/warehouse"
    kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    security_configuration = "example"
    base_policy_arn        = "arn:aws:iam::123456789012:policy/example-glue-job-base"
  }
}
