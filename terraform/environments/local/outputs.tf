output "glue_job_names" {
  description = "Deployed Glue jobs."
  value       = module.jobs.glue_job_names
}

output "sfn_state_machine_names" {
  description = "Deployed pipelines."
  value       = module.jobs.sfn_state_machine_names
}

output "s3_bucket_ids" {
  description = "Buckets by purpose."
  value       = module.central.s3_bucket_ids
}

output "core_wheel_s3_uri" {
  description = "The core wheel every job loads (--extra-py-files)."
  value       = module.jobs.core_wheel_s3_uri
}
