variable "account_id" {
  description = "The emulator's account (moto's default, emulator/settings.py ACCOUNT_ID): the only account this environment is applied to."
  type        = string
  default     = "123456789012"
}

variable "region" {
  description = "Region of the local profile (core.config)."
  type        = string
  default     = "eu-west-1"
}

variable "log_retention_days" {
  description = "Retention of every log group."
  type        = number
  default     = 7
}

variable "adopt_buckets" {
  description = "Buckets that exist on the lakehouse but not in this state (`just up` creates the stack's raw, curated and artifacts buckets): imported rather than created. tools/deploy/lakehouse.py passes them."
  type        = list(string)
  default     = []
}
