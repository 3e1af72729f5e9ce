variable "jobs_root" {
  description = "Path of the repository's jobs/ folder (manifests and scripts)."
  type        = string
}

variable "dist_dir" {
  description = "Folder holding the core wheel to deploy (`uv build` output of the same commit, usually dist/)."
  type        = string
}

variable "environment" {
  description = "The environment's name: local, dev, int or prod (core's ENV on Glue)."
  type        = string

  validation {
    condition     = contains(["local", "dev", "int", "prod"], var.environment)
    error_message = "environment must be local, dev, int or prod."
  }
}

variable "central" {
  description = "The central stack's outputs (pass module.central): buckets, warehouse, key, security configuration, base job policy, failure topic."
  type = object({
    s3_bucket_ids                    = map(string)
    warehouse_uri                    = string
    kms_key_arn                      = string
    glue_security_configuration_name = string
    iam_policy_arn                   = string
    sns_topic_arn                    = string
  })
}

variable "catalog_name" {
  description = "Spark name of the Iceberg catalog; core's config key catalog_name (a test keeps them equal)."
  type        = string
  default     = "lakehouse"
}

variable "catalog_api" {
  description = "How jobs' Iceberg reaches the Data Catalog on AWS: glue (Iceberg's GlueCatalog) or glue_rest (Glue's Iceberg REST endpoint, SigV4)."
  type        = string
  default     = "glue" # validated by modules/glue_job
}

variable "log_retention_days" {
  description = "Retention of the jobs' and pipelines' log groups."
  type        = number
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "schedules_enabled" {
  description = "Whether pipeline schedules trigger runs."
  type        = bool
  default     = true
}
