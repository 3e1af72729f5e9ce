output "s3_bucket_id" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "s3_bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "log_target_bucket_id" {
  description = "Bucket name, known once the bucket policy (its log-delivery grant) is in place: other buckets' access-log target."
  value       = aws_s3_bucket.this.id
  depends_on  = [aws_s3_bucket_policy.this]
}
