variable "name" {
  description = "State machine name (<domain>_<pipeline>)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.name))
    error_message = "name must be 1-80 letters, digits, _ or -."
  }
}

variable "description" {
  description = "What the pipeline does (the definition's Comment)."
  type        = string
}

variable "stages" {
  description = "Glue job names per stage: stages run in order, the jobs of one stage in parallel."
  type        = list(list(string))

  validation {
    condition     = length(var.stages) > 0 && alltrue([for stage in var.stages : length(stage) > 0])
    error_message = "stages must be a non-empty list of non-empty lists of job names."
  }

  validation {
    condition     = length(flatten(var.stages)) == length(distinct(flatten(var.stages)))
    error_message = "a job may appear only once in a pipeline."
  }
}

variable "failure_topic_arn" {
  description = "SNS topic that receives the failure notification."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the log group and of the (encrypted) failure topic."
  type        = string
}

variable "schedule" {
  description = "EventBridge schedule expression (cron(...) or rate(...)); null: run on demand only."
  type        = string
  default     = null

  validation {
    condition     = var.schedule == null || can(regex("^(cron|rate)\\(.+\\)$", var.schedule))
    error_message = "schedule must be an EventBridge cron(...) or rate(...) expression."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule triggers runs (off in environments that should only run on demand)."
  type        = bool
  default     = true
}

variable "retry" {
  description = "Retry of transient Glue errors (concurrency limit, throttling, internal errors)."
  type = object({
    interval_seconds = optional(number, 30)
    max_attempts     = optional(number, 3)
    backoff_rate     = optional(number, 2)
  })
  default = {}

  validation {
    condition     = var.retry.interval_seconds >= 1 && var.retry.max_attempts >= 0 && var.retry.backoff_rate >= 1
    error_message = "retry needs interval_seconds >= 1, max_attempts >= 0 and backoff_rate >= 1."
  }
}

variable "tracing_enabled" {
  description = "Send X-Ray traces."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
