variable "project" {
  description = "Project name, the prefix of every resource name."
  type        = string
  default     = "domain-project"
}

variable "environment" {
  description = "Environment: local (the emulator), dev, int or prod."
  type        = string

  validation {
    condition     = contains(["local", "dev", "int", "prod"], var.environment)
    error_message = "environment must be local, dev, int or prod."
  }
}

variable "bucket_names" {
  description = "Bucket names; by default <project>-<environment>-<purpose>-<account id> (globally unique)."
  type = object({
    raw       = optional(string)
    curated   = optional(string)
    artifacts = optional(string)
    logs      = optional(string)
  })
  default = {}
}

variable "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the curated bucket."
  type        = string
  default     = "warehouse"
}

variable "glue_databases" {
  description = "Glue databases (Iceberg namespaces) to create: one per table namespace the jobs use."
  type        = list(string)

  validation {
    condition     = alltrue([for db in var.glue_databases : can(regex("^[a-z][a-z0-9_]*$", db))])
    error_message = "glue_databases must be lower_snake_case names."
  }
}

variable "log_retention_days" {
  description = "Retention of the domain's log groups."
  type        = number
  default     = 30
}

variable "failure_emails" {
  description = "E-mail addresses subscribed to pipeline failure notifications."
  type        = list(string)
  default     = []
}

variable "deny_insecure_transport" {
  description = "TLS-only bucket policies. Off only for the local environment (the emulator speaks plain HTTP)."
  type        = bool
  default     = true
}

variable "bucket_lifecycle_rules" {
  description = "Give every bucket its lifecycle configuration. Off only for the local environment: the emulator expires nothing, and the AWS provider confirms each new lifecycle configuration for a fixed ~55 s."
  type        = bool
  default     = true
}

variable "force_destroy_buckets" {
  description = "Let Terraform delete non-empty buckets (disposable environments only: local)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
