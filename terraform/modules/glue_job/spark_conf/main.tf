# The Iceberg catalog registration every Glue job gets through `--conf`, built without any provider
# so tests can render it and compare it with core.spark_conf.aws_glue_conf (local and AWS must not drift).

terraform {
  required_version = ">= 1.11, < 2.0"
}

variable "catalog_name" {
  description = "Spark catalog name; core's config key catalog_name (spark.sql.defaultCatalog)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", var.catalog_name))
    error_message = "catalog_name must be a SQL identifier."
  }
}

variable "warehouse" {
  description = "Iceberg warehouse URI (s3://bucket/prefix)."
  type        = string

  validation {
    condition     = can(regex("^s3://", var.warehouse))
    error_message = "warehouse must be an s3:// URI."
  }
}

locals {
  catalog = "spark.sql.catalog.${var.catalog_name}"
  conf = {
    "spark.sql.extensions"                     = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    (local.catalog)                            = "org.apache.iceberg.spark.SparkCatalog"
    "${local.catalog}.type"                    = "glue"
    "${local.catalog}.warehouse"               = var.warehouse
    "${local.catalog}.io-impl"                 = "org.apache.iceberg.aws.s3.S3FileIO"
    "spark.sql.defaultCatalog"                 = var.catalog_name
    "spark.sql.sources.partitionOverwriteMode" = "dynamic"
    "spark.sql.session.timeZone"               = "UTC"
  }
}

output "spark_conf_map" {
  description = "The Spark settings, as a map."
  value       = local.conf
}

output "spark_conf_argument" {
  description = "The value of the Glue job's --conf argument: k=v joined by ' --conf '."
  value       = join(" --conf ", [for key in sort(keys(local.conf)) : "${key}=${local.conf[key]}"])
}
