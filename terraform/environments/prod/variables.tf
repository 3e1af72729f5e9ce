variable "environment" {
  description = "This environment's name."
  type        = string

  validation {
    condition     = contains(["dev", "int", "prod"], var.environment)
    error_message = "environment must be dev, int or prod."
  }
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "account_id" {
  description = "The environment's AWS account: the provider refuses any other (TF_VAR_account_id; the deploy workflow sets it)."
  type        = string

  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "catalog_api" {
  description = "How jobs' Iceberg reaches the Data Catalog: glue (Iceberg's GlueCatalog) or glue_rest (Glue's Iceberg REST endpoint, requests signed with SigV4)."
  type        = string
  default     = "glue"

  validation {
    condition     = contains(["glue", "glue_rest"], var.catalog_api)
    error_message = "catalog_api must be glue or glue_rest."
  }
}

variable "log_retention_days" {
  description = "Retention of every log group."
  type        = number
  default     = 90
}

variable "failure_emails" {
  description = "Who hears about failed pipelines."
  type        = list(string)
  default     = []
}

variable "schedules_enabled" {
  description = "Whether pipeline schedules run."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
