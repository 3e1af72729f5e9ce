output "kms_key_arn" {
  description = "The domain key (data, logs, notifications)."
  value       = aws_kms_key.this.arn
}

output "s3_bucket_ids" {
  description = "Bucket names by purpose: raw, curated, artifacts, logs."
  value       = merge({ for purpose, bucket in module.data_buckets : purpose => bucket.s3_bucket_id }, { logs = module.logs_bucket.s3_bucket_id })
}

output "warehouse_uri" {
  description = "The Iceberg warehouse."
  value       = "s3://${module.data_buckets["curated"].s3_bucket_id}/${var.warehouse_prefix}"
}

output "glue_security_configuration_name" {
  description = "Security configuration every job uses."
  value       = aws_glue_security_configuration.this.name
}

output "sns_topic_arn" {
  description = "Pipeline failure topic."
  value       = aws_sns_topic.failures.arn
}

output "iam_policy_arn" {
  description = "Base policy attached to every job role."
  value       = aws_iam_policy.job_base.arn
}

output "glue_catalog_database_names" {
  description = "Glue databases created."
  value       = sort([for db in aws_glue_catalog_database.this : db.name])
}
