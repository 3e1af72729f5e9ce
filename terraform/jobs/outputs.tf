output "glue_job_names" {
  description = "Every Glue job deployed."
  value       = sort(keys(local.all_jobs))
}

output "glue_trigger_names" {
  description = "The Glue triggers that start scheduled jobs (each domain's table maintenance)."
  value       = sort([for job in module.maintenance_jobs : job.glue_trigger_name])
}

output "sfn_state_machine_names" {
  description = "Every pipeline deployed."
  value       = sort(flatten([for pipelines in values(local.pipelines_of) : keys(pipelines)]))
}

output "glue_catalog_database_names" {
  description = "Iceberg namespaces (Glue databases) the jobs read and write."
  value       = local.namespaces
}

output "core_wheel_s3_uri" {
  description = "Where the deployed core wheel is."
  value       = "s3://${local.platform.artifacts_bucket}/${local.core_wheel_key}"
}
