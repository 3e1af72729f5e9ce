# Glue jobs and pipelines of the legacy_refactor domain, from jobs/legacy_refactor/jobs.yaml: add jobs there, not here.

module "legacy_refactor_jobs" {
  source   = "../modules/glue_job"
  for_each = local.jobs_of["legacy_refactor"]

  job      = each.value
  platform = local.platform

  depends_on = [aws_s3_object.script, aws_s3_object.core_wheel]
}

module "legacy_refactor_pipelines" {
  source   = "../modules/stepfunction_pipeline"
  for_each = try(local.pipelines_of["legacy_refactor"], {})

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
