environment        = "prod"
region             = "eu-west-1"
log_retention_days = 365
failure_emails     = ["data-platform-oncall@example.com"]
schedules_enabled  = true
