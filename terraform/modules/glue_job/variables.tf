variable "job" {
  description = <<-EOT
    One job, as its manifest entry declares it (jobs/<domain>/jobs.yaml): Glue name, script,
    description, workers, timeout, retries, execution class, concurrency, default arguments
    (names without --), and what it reads (raw prefixes, tables) and writes (tables); script_dir,
    the folder of jobs/ holding the script when it is shared (default: the domain's); schedule, a
    cron(...) expression for a Glue trigger that starts the job (default: none).
  EOT
  type = object({
    name                = string
    domain              = string
    script              = string
    description         = string
    worker_type         = optional(string, "G.1X")
    number_of_workers   = optional(number, 2)
    timeout_minutes     = optional(number, 60)
    max_retries         = optional(number, 0)
    execution_class     = optional(string, "STANDARD")
    max_concurrent_runs = optional(number, 1)
    arguments           = optional(map(string), {})
    reads_raw           = optional(list(string), [])
    reads_tables        = optional(list(string), [])
    writes_tables       = optional(list(string), [])
    script_dir          = optional(string)
    schedule            = optional(string)
  })

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"], var.job.worker_type)
    error_message = "job.worker_type must be one of G.1X G.2X G.4X G.8X G.12X G.16X R.1X R.2X R.4X R.8X."
  }

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.job.execution_class)
    error_message = "job.execution_class must be STANDARD or FLEX."
  }

  validation {
    condition     = var.job.execution_class == "STANDARD" || contains(["G.1X", "G.2X"], var.job.worker_type)
    error_message = "FLEX runs only on G.1X or G.2X workers."
  }

  validation {
    condition     = var.job.number_of_workers >= 2 && var.job.timeout_minutes >= 1 && var.job.timeout_minutes <= 2880
    error_message = "job needs at least 2 workers and a timeout from 1 to 2880 minutes."
  }

  validation {
    condition     = var.job.max_retries >= 0 && var.job.max_retries <= 10 && var.job.max_concurrent_runs >= 1
    error_message = "job.max_retries must be 0-10 and job.max_concurrent_runs at least 1."
  }

  validation {
    condition     = var.job.schedule == null || can(regex("^cron\\([^)]+\\)$", coalesce(var.job.schedule, "-")))
    error_message = "job.schedule must be a cron(...) expression: Glue triggers take no rate(...)."
  }

  validation {
    condition     = alltrue([for t in concat(var.job.reads_tables, var.job.writes_tables) : can(regex("^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$", t))])
    error_message = "tables must be two-part names namespace.table."
  }
}

variable "platform" {
  description = <<-EOT
    What every job of the environment shares: environment name, region, artifacts bucket and the
    core wheel's key, the raw and warehouse buckets, the Iceberg catalog name and warehouse URI,
    how Iceberg reaches the Data Catalog (catalog_api: glue or glue_rest), the KMS key, the Glue
    security configuration, the shared job policy, log retention, the
    config values passed as DOMAIN_PROJECT_* job parameters, whether job schedules are enabled,
    and tags.
  EOT
  type = object({
    environment            = string
    artifacts_bucket       = string
    core_wheel_key         = string
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
    schedules_enabled      = optional(bool, true)
    tags                   = optional(map(string), {})
  })

  validation {
    condition     = contains(["local", "dev", "int", "prod"], var.platform.environment)
    error_message = "platform.environment must be local, dev, int or prod."
  }

  validation {
    condition     = contains(["glue", "glue_rest"], var.platform.catalog_api)
    error_message = "platform.catalog_api must be glue (Iceberg's GlueCatalog) or glue_rest (Glue's Iceberg REST endpoint, SigV4)."
  }

  validation {
    condition     = var.platform.environment != "local" || var.platform.catalog_api == "glue"
    error_message = "platform.catalog_api is for AWS environments: local job runs use the lakehouse's REST catalog (leave it glue)."
  }

  validation {
    condition     = contains(["5.0", "5.1"], var.platform.glue_version)
    error_message = "platform.glue_version must be 5.0 or 5.1 (Spark 3.5, Python 3.11)."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653], var.platform.log_retention_days)
    error_message = "platform.log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}
