environment       = "int"
region            = "eu-west-1"
failure_emails    = []
schedules_enabled = true
