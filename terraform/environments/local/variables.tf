variable "aws_endpoint" {
  description = "The local lakehouse's AWS endpoint (just up)."
  type        = string
  default     = "http://127.0.0.1:4566"
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
  description = "Buckets that exist on the lakehouse but not in this state (`just up` creates the stack's raw, curated and artifacts buckets): imported rather than created. tools/terraform.py passes them."
  type        = list(string)
  default     = []
}
