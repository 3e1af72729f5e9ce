# A Step Functions pipeline of Glue jobs: each stage a Parallel state of glue:startJobRun.sync
# tasks, transient Glue errors retried with backoff, any failure caught, published to the failure
# topic and ended in a Fail state. Logged to CloudWatch at level ALL without execution data.
# The only renderer of the pipelines' ASL: the local lakehouse runs this definition too (just push).

data "aws_caller_identity" "this" {}
data "aws_region" "this" {}
data "aws_partition" "this" {}

locals {
  account  = data.aws_caller_identity.this.account_id
  region   = data.aws_region.this.name
  p        = data.aws_partition.this.partition
  jobs     = flatten(var.stages)
  job_arns = [for job in local.jobs : "arn:${local.p}:glue:${local.region}:${local.account}:job/${job}"]

  retry = {
    ErrorEquals     = ["Glue.ConcurrentRunsExceededException", "Glue.InternalServiceException", "Glue.OperationTimeoutException", "Glue.ThrottlingException"]
    IntervalSeconds = var.retry.interval_seconds
    MaxAttempts     = var.retry.max_attempts
    BackoffRate     = var.retry.backoff_rate
  }
  stage_states = {
    for index, stage in var.stages : "Stage${index + 1}" => {
      Type    = "Parallel"
      Comment = "jobs: ${join(", ", stage)}"
      Branches = [for job in stage : {
        StartAt = job
        States = { (job) = {
          Type       = "Task"
          Resource   = "arn:aws:states:::glue:startJobRun.sync"
          Parameters = { JobName = job, Arguments = { "--run_date.$" = "$.run_date" } }
          Retry      = [local.retry]
          End        = true
        } }
      }]
      ResultPath = null
      Catch      = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "NotifyFailure" }]
      Next       = index == length(var.stages) - 1 ? "Succeeded" : "Stage${index + 2}"
    }
  }
  definition = {
    Comment = var.description
    StartAt = "ResolveRunDate"
    States = merge(
      {
        ResolveRunDate = {
          Type    = "Choice"
          Choices = [{ Variable = "$.run_date", IsPresent = true, Next = "Stage1" }]
          Default = "DefaultRunDate"
        }
        DefaultRunDate = {
          Type       = "Pass"
          Parameters = { "run_date.$" = "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)" }
          Next       = "Stage1"
        }
      },
      local.stage_states,
      {
        NotifyFailure = {
          Type     = "Task"
          Resource = "arn:aws:states:::sns:publish"
          Parameters = {
            TopicArn    = var.failure_topic_arn
            Subject     = "Pipeline ${var.name} failed"
            "Message.$" = "States.JsonToString($.error)"
          }
          ResultPath = null
          Next       = "Failed"
        }
        Failed    = { Type = "Fail", Error = "PipelineFailed", Cause = "a job failed: see the failure notification" }
        Succeeded = { Type = "Succeed" }
      },
    )
  }
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338:Retention is chosen per environment (prod 365 days, dev 90, local 7).
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

module "role" {
  source      = "../iam_role"
  name        = "pipeline-${var.name}"
  description = "Step Functions pipeline ${var.name}: run its Glue jobs, notify failures, log"
  trust       = { service_principals = ["states.amazonaws.com"] }
  statements = concat(
    [
      {
        sid        = "RunPipelineJobs"
        actions    = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
        resources  = local.job_arns
        conditions = []
      },
      {
        sid        = "NotifyFailures"
        actions    = ["sns:Publish"]
        resources  = [var.failure_topic_arn]
        conditions = []
      },
      {
        sid        = "EncryptedTopic"
        actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources  = [var.kms_key_arn]
        conditions = []
      },
      {
        # Log delivery APIs take no resource ARNs (AWS documents "*" for them).
        sid        = "LogDelivery"
        actions    = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
        resources  = ["*"]
        conditions = []
      },
    ],
    var.tracing_enabled ? [{
      sid        = "XRay"
      actions    = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      resources  = ["*"]
      conditions = []
    }] : [],
  )
  tags = var.tags
}

resource "aws_sfn_state_machine" "this" {
  # checkov:skip=CKV_AWS_285:Execution history is logged at level ALL; execution data stays out on purpose (it can carry personal data).
  # checkov:skip=CKV_AWS_284:X-Ray is optional by design (var.tracing_enabled); pipelines are traced through their logs and Glue run ids.
  name       = var.name
  role_arn   = module.role.iam_role_arn
  definition = jsonencode(local.definition)
  tags       = var.tags

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = false
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  count = var.schedule == null ? 0 : 1

  name                = "pipeline-${var.name}"
  description         = "Runs ${var.name} on ${var.schedule}"
  schedule_expression = var.schedule
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

module "schedule_role" {
  count = var.schedule == null ? 0 : 1

  source      = "../iam_role"
  name        = "schedule-${var.name}"
  description = "EventBridge schedule of ${var.name}: start its executions"
  trust       = { service_principals = ["events.amazonaws.com"] }
  statements = [{
    sid        = "StartPipeline"
    actions    = ["states:StartExecution"]
    resources  = [aws_sfn_state_machine.this.arn]
    conditions = []
  }]
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  count = var.schedule == null ? 0 : 1

  rule     = aws_cloudwatch_event_rule.this[0].name
  arn      = aws_sfn_state_machine.this.arn
  role_arn = module.schedule_role[0].iam_role_arn
  input    = "{}" # no run_date: the definition takes the execution's start date
}
