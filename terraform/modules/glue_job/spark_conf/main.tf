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
  description = "Iceberg warehouse URI (s3://bucket/prefix); with catalog_api glue_rest, table locations come from the Glue databases instead."
  type        = string

  validation {
    condition     = can(regex("^s3://", var.warehouse))
    error_message = "warehouse must be an s3:// URI."
  }
}

variable "catalog_api" {
  description = "How Iceberg reaches the Data Catalog: glue (Iceberg's GlueCatalog) or glue_rest (Glue's Iceberg REST endpoint, SigV4); core's config key catalog_type."
  type        = string
  default     = "glue"

  validation {
    condition     = contains(["glue", "glue_rest"], var.catalog_api)
    error_message = "catalog_api must be glue or glue_rest."
  }
}

variable "region" {
  description = "AWS region of the Data Catalog (glue_rest signs requests for it)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as eu-west-1."
  }
}

variable "catalog_id" {
  description = "Data Catalog id for glue_rest: the account id, or <account>:s3tablescatalog/<table bucket>; core's config key glue_catalog_id."
  type        = string
  default     = null

  validation {
    condition     = var.catalog_id == null ? var.catalog_api != "glue_rest" : can(regex("^[0-9]{12}(:[A-Za-z0-9_./-]+)?$", var.catalog_id))
    error_message = "catalog_id must be a 12-digit account id (optionally followed by :<sub-catalog>), and catalog_api glue_rest needs it."
  }
}

locals {
  catalog = "spark.sql.catalog.${var.catalog_name}"
  semantics = {
    "spark.sql.extensions"                     = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    (local.catalog)                            = "org.apache.iceberg.spark.SparkCatalog"
    "spark.sql.defaultCatalog"                 = var.catalog_name
    "spark.sql.sources.partitionOverwriteMode" = "dynamic"
    "spark.sql.session.timeZone"               = "UTC"
  }
  backends = {
    glue = {
      "${local.catalog}.type"      = "glue"
      "${local.catalog}.warehouse" = var.warehouse
      "${local.catalog}.io-impl"   = "org.apache.iceberg.aws.s3.S3FileIO"
    }
    glue_rest = {
      "${local.catalog}.type"                = "rest"
      "${local.catalog}.uri"                 = "https://glue.${var.region}.amazonaws.com/iceberg"
      "${local.catalog}.warehouse"           = var.catalog_id
      "${local.catalog}.rest.sigv4-enabled"  = "true"
      "${local.catalog}.rest.signing-name"   = "glue"
      "${local.catalog}.rest.signing-region" = var.region
      "${local.catalog}.io-impl"             = "org.apache.iceberg.aws.s3.S3FileIO"
    }
  }
  conf = merge(local.semantics, local.backends[var.catalog_api])
}

output "spark_conf_map" {
  description = "The Spark settings, as a map."
  value       = local.conf
}

output "spark_conf_argument" {
  description = "The value of the Glue job's --conf argument: k=v joined by ' --conf '."
  value       = join(" --conf ", [for key in sort(keys(local.conf)) : "${key}=${local.conf[key]}"])
}
