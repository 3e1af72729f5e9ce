output "iam_role_arn" {
  description = "Put this in the repository secret AWS_ROLE_ARN_<ENV>."
  value       = module.deploy_role.iam_role_arn
}

output "s3_bucket_id" {
  description = "The state bucket: put it in environments/<env>/backend.hcl."
  value       = module.state_bucket.s3_bucket_id
}
