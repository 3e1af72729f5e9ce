output "sfn_state_machine_arn" {
  description = "State machine ARN."
  value       = aws_sfn_state_machine.this.arn
}

output "sfn_state_machine_name" {
  description = "State machine name."
  value       = aws_sfn_state_machine.this.name
}

output "sfn_state_machine_definition" {
  description = "The rendered definition (Amazon States Language)."
  value       = aws_sfn_state_machine.this.definition
}

output "iam_role_arn" {
  description = "The state machine's role."
  value       = module.role.iam_role_arn
}

output "cloudwatch_log_group_name" {
  description = "Execution log group."
  value       = aws_cloudwatch_log_group.this.name
}
