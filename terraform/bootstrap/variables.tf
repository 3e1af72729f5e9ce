variable "environment" {
  description = "The environment this AWS account hosts."
  type        = string

  validation {
    condition     = contains(["dev", "int", "prod"], var.environment)
    error_message = "environment must be dev, int or prod."
  }
}

variable "region" {
  description = "Region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when another stack already owns it)."
  type        = bool
  default     = true
}
