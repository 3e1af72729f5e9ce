variable "jobs_root" {
  description = "Path of the repository's jobs/ folder (manifests and scripts)."
  type        = string
}

variable "dist_dir" {
  description = "Folder holding the core wheel to deploy (`uv build` output of the same commit, usually dist/)."
  type        = string
}

variable "platform" {
  description = "What every job shares (see modules/glue_job, variable platform); core_wheel_key is derived here."
  type = object({
    environment            = string
    artifacts_bucket       = string
    raw_bucket             = string
    warehouse_bucket       = string
    catalog_name           = string
    catalog_api            = optional(string, "glue")
    warehouse              = string
    kms_key_arn            = string
    security_configuration = string
    base_policy_arn        = string
    log_retention_days     = optional(number, 30)
    glue_version           = optional(string, "5.1")
    config                 = optional(map(string), {})
    tags                   = optional(map(string), {})
  })
}

variable "failure_topic_arn" {
  description = "SNS topic for pipeline failures."
  type        = string
}

variable "schedules_enabled" {
  description = "Whether pipeline schedules trigger runs."
  type        = bool
  default     = true
}
