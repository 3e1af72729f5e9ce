# Glue jobs and pipelines of the customers domain, from jobs/customers/jobs.yaml: add jobs there, not here.

module "customers_jobs" {
  source   = "../modules/glue_job"
  for_each = local.jobs_of["customers"]

  job      = each.value
  platform = local.platform

  depends_on = [aws_s3_object.script, aws_s3_object.core_wheel]
}

module "customers_pipelines" {
  source   = "../modules/stepfunction_pipeline"
  for_each = try(local.pipelines_of["customers"], {})

  name               = each.value.name
  description        = each.value.description
  stages             = each.value.stages
  schedule           = each.value.schedule
  schedule_enabled   = var.schedules_enabled
  failure_topic_arn  = var.central.sns_topic_arn
  kms_key_arn        = var.central.kms_key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}
