# One IAM role with a trust policy (services and/or one OIDC provider), an inline least-privilege
# policy and optional managed policies.

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = length(var.trust.service_principals) > 0 ? [1] : []
    content {
      sid     = "Services"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "Service"
        identifiers = var.trust.service_principals
      }
    }
  }

  dynamic "statement" {
    for_each = var.trust.oidc == null ? [] : [var.trust.oidc]
    content {
      sid     = "OidcFederation"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [statement.value.provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "${statement.value.claim_prefix}:aud"
        values   = [statement.value.audience]
      }
      condition {
        test     = "StringEquals"
        variable = "${statement.value.claim_prefix}:sub"
        values   = statement.value.subjects
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = var.description
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "inline" {
  count = length(var.statements) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = var.statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = length(var.statements) > 0 ? 1 : 0

  name   = "${var.name}-inline"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.inline[0].json
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = var.managed_policy_arns

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
