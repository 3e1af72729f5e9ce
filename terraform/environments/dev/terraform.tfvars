environment       = "dev"
region            = "eu-west-1"
failure_emails    = []
schedules_enabled = false # dev runs pipelines on demand
