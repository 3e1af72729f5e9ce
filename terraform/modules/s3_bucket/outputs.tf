output "s3_bucket_id" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "s3_bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}
