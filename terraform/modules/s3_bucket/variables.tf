variable "name" {
  description = "Bucket name (globally unique in AWS)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS. null means SSE-S3 (AES256): required for a bucket that receives S3 server access logs."
  type        = string
  default     = null
}

variable "access_logging" {
  description = "Where S3 server access logs of this bucket go; null disables access logging."
  type = object({
    target_bucket = string
    target_prefix = optional(string, "")
  })
  default = null
}

variable "receives_access_logs" {
  description = "Make this bucket a server access log target: each source bucket and the prefix its logs go to."
  type = list(object({
    source_bucket_arn = string
    prefix            = string
  }))
  default = []
}

variable "lifecycle_rules" {
  description = "Expiry of noncurrent versions and incomplete multipart uploads; optional expiry of current objects under a prefix."
  type = object({
    noncurrent_version_expiration_days     = optional(number, 90)
    abort_incomplete_multipart_upload_days = optional(number, 7)
    expirations = optional(list(object({
      prefix = string
      days   = number
    })), [])
  })
  default = {}

  validation {
    condition     = var.lifecycle_rules.noncurrent_version_expiration_days >= 1 && var.lifecycle_rules.abort_incomplete_multipart_upload_days >= 1
    error_message = "lifecycle rule days must be at least 1."
  }
}

variable "lifecycle_rules_enabled" {
  description = "Declare the lifecycle configuration (lifecycle_rules). Only the local environment turns it off: the emulator expires nothing, and the AWS provider confirms each new lifecycle configuration for a fixed ~55 s (10 reads, 5 s apart, after 10 s), which would be most of a fresh local apply."
  type        = bool
  default     = true
}

variable "deny_insecure_transport" {
  description = "Deny every request not made over TLS. Only the local environment turns this off: the emulator speaks plain HTTP."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow Terraform to delete a bucket that still holds objects (only for disposable environments)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource, merged over the provider's default tags."
  type        = map(string)
  default     = {}
}
