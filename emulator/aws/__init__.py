"""One AWS endpoint (S3, IAM, STS, Glue, Step Functions, CloudWatch Logs, EventBridge, SNS, KMS):
moto's server, with Glue job runs that really run and the Step Functions gaps closed."""
