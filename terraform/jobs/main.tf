# Glue jobs and pipelines of every domain, driven by the manifests jobs/<domain>/jobs.yaml (the
# same files `just run`, `just validate` and the emulator read). A new job is a script, a test
# and a manifest entry; a new domain is also one <domain>_jobs.tf file (`just new-job` writes it).

locals {
  manifests = {
    for path in fileset(var.jobs_root, "*/jobs.yaml") : dirname(path) => yamldecode(file("${var.jobs_root}/${path}"))
  }
  # Domains that have a <domain>_jobs.tf here; the precondition below keeps it in step with the manifests.
  wired_domains = ["customers", "legacy_refactor", "sales"]

  job_defaults = {
    worker_type         = "G.1X"
    number_of_workers   = 2
    timeout_minutes     = 60
    max_retries         = 0
    execution_class     = "STANDARD"
    max_concurrent_runs = 1
  }
  jobs_of = {
    for domain, manifest in local.manifests : domain => {
      for name, job in manifest.jobs : "${domain}_${name}" => merge(
        local.job_defaults,
        try(manifest.defaults, {}),
        { for key, value in job : key => value if !contains(["arguments", "reads", "writes"], key) },
        {
          name          = "${domain}_${name}"
          domain        = domain
          arguments     = { for key, value in try(job.arguments, {}) : key => tostring(value) }
          reads_raw     = try(job.reads.raw, [])
          reads_tables  = try(job.reads.tables, [])
          writes_tables = try(job.writes.tables, [])
        },
      )
    }
  }
  # Table maintenance (a manifest's `maintenance` block): one job per domain running the shared script
  # jobs/_shared/job_table_maintenance.py on every table the domain's jobs write, minus `enabled: false`,
  # its policy as --maintenance_policy. tools/manifest/maintenance.py renders the same job; a test compares them.
  maintenance_written = {
    for domain, manifest in local.manifests : domain => sort(distinct(flatten([
      for job in values(manifest.jobs) : try(job.writes.tables, [])
    ]))) if try(manifest.maintenance, null) != null
  }
  maintenance_settings = {
    for domain, tables in local.maintenance_written : domain => {
      for t in tables : t => try({ for key, value in local.manifests[domain].maintenance.tables[t] : key => value if key != "enabled" }, {})
      if try(local.manifests[domain].maintenance.tables[t].enabled, true) != false
    }
  }
  maintenance_jobs = {
    for domain, settings in local.maintenance_settings : "${domain}_table_maintenance" => merge(
      local.job_defaults,
      try(local.manifests[domain].defaults, {}),
      { for key in keys(local.job_defaults) : key => local.manifests[domain].maintenance[key] if try(local.manifests[domain].maintenance[key], null) != null },
      {
        name          = "${domain}_table_maintenance"
        domain        = domain
        script        = "job_table_maintenance.py"
        script_dir    = "_shared"
        description   = try(local.manifests[domain].maintenance.description, "Iceberg maintenance of the ${domain} domain's tables (compaction, expiry, orphans)")
        schedule      = local.manifests[domain].maintenance.schedule
        arguments     = { maintenance_policy = jsonencode({ defaults = try(local.manifests[domain].maintenance.defaults, {}), tables = settings }) }
        reads_raw     = []
        reads_tables  = []
        writes_tables = keys(settings)
      },
    )
  }
  pipelines_of = {
    for domain, manifest in local.manifests : domain => {
      for name, pipeline in try(manifest.pipelines, {}) : "${domain}_${name}" => {
        name        = "${domain}_${name}"
        description = pipeline.description
        schedule    = try(pipeline.schedule, null)
        stages      = [for stage in pipeline.stages : [for job in stage : strcontains(job, ".") ? replace(job, ".", "_") : "${domain}_${job}"]]
      }
    }
  }
  domain_jobs = merge(values(local.jobs_of)...)
  all_jobs    = merge(local.domain_jobs, local.maintenance_jobs)
  # Scripts shared by several jobs (jobs/_shared/), uploaded once each.
  shared_scripts = toset([for job in values(local.maintenance_jobs) : "${job.script_dir}/${job.script}"])
  namespaces     = sort(distinct(flatten([for job in local.all_jobs : [for t in concat(job.reads_tables, job.writes_tables) : split(".", t)[0]]])))

  core_version   = regex("(?m)^version = \"([^\"]+)\"", file("${var.jobs_root}/../pyproject.toml"))[0]
  core_wheel     = "domain_project-${local.core_version}-py3-none-any.whl"
  core_wheel_key = "libs/${local.core_wheel}"

  # What every job shares, derived from the central stack (modules/glue_job, variable platform).
  platform = {
    environment            = var.environment
    artifacts_bucket       = var.central.s3_bucket_ids["artifacts"]
    core_wheel_key         = local.core_wheel_key
    raw_bucket             = var.central.s3_bucket_ids["raw"]
    warehouse_bucket       = var.central.s3_bucket_ids["curated"]
    catalog_name           = var.catalog_name
    catalog_api            = var.catalog_api
    warehouse              = var.central.warehouse_uri
    kms_key_arn            = var.central.kms_key_arn
    security_configuration = var.central.glue_security_configuration_name
    base_policy_arn        = var.central.iam_policy_arn
    log_retention_days     = var.log_retention_days
    schedules_enabled      = var.schedules_enabled
    # core's config on Glue (job parameters count as the environment); locally the same values.
    config = {
      raw_bucket       = var.central.s3_bucket_ids["raw"]
      curated_bucket   = var.central.s3_bucket_ids["curated"]
      artifacts_bucket = var.central.s3_bucket_ids["artifacts"]
      warehouse        = var.central.warehouse_uri
      region           = data.aws_region.this.name
    }
    tags = var.tags
  }
  tags = var.tags
}

data "aws_region" "this" {}

resource "terraform_data" "manifests_wired" {
  lifecycle {
    precondition {
      condition     = sort(keys(local.manifests)) == sort(local.wired_domains)
      error_message = "jobs/*/jobs.yaml domains (${join(", ", sort(keys(local.manifests)))}) and terraform/jobs/<domain>_jobs.tf files (${join(", ", sort(local.wired_domains))}) differ: add the domain's file and list it in wired_domains."
    }
  }
}

# What runs is what Terraform uploaded: every script and the core wheel, versioned by content.
resource "aws_s3_object" "script" {
  for_each = local.domain_jobs

  bucket       = local.platform.artifacts_bucket
  key          = "jobs/${each.value.domain}/${each.value.script}"
  source       = "${var.jobs_root}/${each.value.domain}/${each.value.script}"
  source_hash  = filemd5("${var.jobs_root}/${each.value.domain}/${each.value.script}")
  content_type = "text/x-python"
  tags         = local.tags
}

resource "aws_s3_object" "shared_script" {
  for_each = local.shared_scripts

  bucket       = local.platform.artifacts_bucket
  key          = "jobs/${each.value}"
  source       = "${var.jobs_root}/${each.value}"
  source_hash  = filemd5("${var.jobs_root}/${each.value}")
  content_type = "text/x-python"
  tags         = local.tags
}

# Every domain's maintenance job, from its manifest alone: no HCL per domain.
module "maintenance_jobs" {
  source   = "../modules/glue_job"
  for_each = local.maintenance_jobs

  job      = each.value
  platform = local.platform

  depends_on = [aws_s3_object.shared_script, aws_s3_object.core_wheel]
}

resource "aws_s3_object" "core_wheel" {
  bucket       = local.platform.artifacts_bucket
  key          = local.core_wheel_key
  source       = "${var.dist_dir}/${local.core_wheel}"
  source_hash  = filemd5("${var.dist_dir}/${local.core_wheel}")
  content_type = "application/zip"
  tags         = local.tags
}
