variable "name" {
  description = "Role name."
  type        = string

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "description" {
  description = "What the role is for (shown in the IAM console)."
  type        = string
}

variable "trust" {
  description = "Who may assume the role: AWS service principals, and/or one OIDC provider with the subject claims it may present."
  type = object({
    service_principals = optional(list(string), [])
    oidc = optional(object({
      provider_arn = string
      audience     = string
      claim_prefix = string       # e.g. token.actions.githubusercontent.com
      subjects     = list(string) # e.g. repo:org/repo:environment:prod
    }))
  })

  validation {
    condition     = length(var.trust.service_principals) > 0 || var.trust.oidc != null
    error_message = "trust needs at least one service principal or an oidc block."
  }
}

variable "statements" {
  description = "Inline policy statements (least privilege: no '*' or 'service:*' actions)."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.statements : alltrue([for a in s.actions : a != "*" && !endswith(a, ":*")])])
    error_message = "statements must name actions: '*' and 'service:*' are not allowed."
  }

  validation {
    condition     = alltrue([for s in var.statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "every statement needs an alphanumeric sid."
  }
}

variable "managed_policy_arns" {
  description = "Managed policies to attach, by a name of your choice (static keys: the ARNs may be known only at apply)."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary, where the account requires one."
  type        = string
  default     = null
}

variable "max_session_duration" {
  description = "Maximum session length in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
