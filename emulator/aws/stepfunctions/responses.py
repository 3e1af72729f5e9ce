"""Step Functions actions moto 5.2.5 lacks that the Terraform AWS provider calls:

- ``ValidateStateMachineDefinition`` (before creating or updating a state machine): checked with
  moto's own ASL parser, the one that will execute the definition;
- ``ListStateMachineVersions`` (after every create/read): answered from moto's own record of
  published versions.
"""

from __future__ import annotations

import json
from typing import Any


def list_state_machine_versions(region: str, body: dict[str, Any]) -> dict[str, Any]:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    from emulator.settings import ACCOUNT_ID

    machine = stepfunctions_parser_backends[ACCOUNT_ID][region].describe_state_machine(str(body.get("stateMachineArn")))
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    return {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date.timestamp()} for v in versions
        ]
    }


def _diagnostic(code: str, message: str) -> dict[str, Any]:
    return {"severity": "ERROR", "code": code, "message": message, "location": "/"}


def validate_state_machine_definition(_: str, body: dict[str, Any]) -> dict[str, Any]:
    # Imported on first use: the parser is a second of start-up time the endpoint rarely needs.
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

    definition = body.get("definition")
    if not isinstance(definition, str) or not definition.strip():
        return {"result": "FAIL", "diagnostics": [_diagnostic("INVALID_JSON_DESCRIPTION", "definition is required")]}
    try:
        json.loads(definition)
    except json.JSONDecodeError as e:
        return {"result": "FAIL", "diagnostics": [_diagnostic("INVALID_JSON_DESCRIPTION", str(e))]}
    try:
        AmazonStateLanguageParser.parse(definition)
    except ASLParserException as e:
        return {"result": "FAIL", "diagnostics": [_diagnostic("SCHEMA_VALIDATION_FAILED", str(e))]}
    return {"result": "OK", "diagnostics": [], "truncated": False}
