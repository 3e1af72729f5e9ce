output "glue_job_name" {
  description = "Glue job name."
  value       = aws_glue_job.this.name
}

output "glue_job_arn" {
  description = "Glue job ARN."
  value       = aws_glue_job.this.arn
}

output "iam_role_arn" {
  description = "The job's own role."
  value       = module.role.iam_role_arn
}

output "cloudwatch_log_group_name" {
  description = "The job's continuous-logging log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "spark_conf_map" {
  description = "The Spark settings passed as --conf (the same core applies locally)."
  value       = module.spark_conf.spark_conf_map
}

output "glue_trigger_name" {
  description = "The Glue trigger that starts the job on its schedule (null when it has none)."
  value       = one(aws_glue_trigger.schedule[*].name)
}
