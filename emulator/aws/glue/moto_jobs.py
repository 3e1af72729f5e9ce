"""``UpdateJob``, which moto 5.2.5 lacks, added to moto's own Glue responses.

It changes a job definition, which is moto's state: served by moto, it is journaled and replayed
with every other change to moto's backends (``emulator/aws/persistence.py``), so an acknowledged
update survives a crash. Semantics as AWS documents ``JobUpdate``: the update replaces the
definition; "unspecified configuration is removed or reset to default values". The job keeps its
name, ARN, tags and creation time; ``LastModifiedOn`` moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.exceptions import GlueClientError
from moto.glue.responses import GlueResponse

from emulator.aws.glue import limits
from emulator.aws.glue.exceptions import GlueError, invalid_input

# JobUpdate field -> (moto FakeJob attribute, the value an unspecified field resets to).
JOB_UPDATE_FIELDS: dict[str, tuple[str, Any]] = {
    "Description": ("description", None),
    "LogUri": ("log_uri", None),
    "Role": ("role", None),
    "ExecutionProperty": ("execution_property", {}),
    "Command": ("command", None),
    "DefaultArguments": ("default_arguments", {}),
    "NonOverridableArguments": ("non_overridable_arguments", None),
    "Connections": ("connections", None),
    "MaxRetries": ("max_retries", None),
    "AllocatedCapacity": ("allocated_capacity", None),
    "Timeout": ("timeout", None),
    "MaxCapacity": ("max_capacity", None),
    "WorkerType": ("worker_type", None),
    "NumberOfWorkers": ("number_of_workers", None),
    "SecurityConfiguration": ("security_configuration", None),
    "NotificationProperty": ("notification_property", None),
    "GlueVersion": ("glue_version", None),
    "CodeGenConfigurationNodes": ("code_gen_configuration_nodes", None),
    "ExecutionClass": ("execution_class", "STANDARD"),
    "SourceControlDetails": ("source_control_details", None),
}
# Valid JobUpdate fields that moto's job model has no place for (its CreateJob drops them too).
JOB_UPDATE_UNMODELLED = frozenset({"JobMode", "JobRunQueuingEnabled", "MaintenanceWindow"})


class _MotoGlueError(GlueClientError):
    def __init__(self, error: GlueError) -> None:
        super().__init__(error.code, error.message)
        self.code = error.status


def checked_update(update: Any) -> dict[str, Any]:
    """A JobUpdate within Glue's documented limits (the same ones StartJobRun checks)."""
    if not isinstance(update, Mapping):
        raise invalid_input("JobUpdate is required")
    unknown = set(update) - set(JOB_UPDATE_FIELDS) - JOB_UPDATE_UNMODELLED
    if unknown:
        raise invalid_input(f"JobUpdate has unknown field(s): {', '.join(sorted(unknown))}")
    if not update.get("Role"):
        raise invalid_input("JobUpdate.Role is required")
    command = update.get("Command")
    if not isinstance(command, Mapping) or not command.get("ScriptLocation"):
        raise invalid_input("JobUpdate.Command.ScriptLocation is required")
    limits.timeout(update.get("Timeout"), "JobUpdate.Timeout")
    limits.workers(update.get("WorkerType"), update.get("NumberOfWorkers"))
    limits.execution_class(update.get("ExecutionClass"))
    for field in ("DefaultArguments", "NonOverridableArguments"):
        limits.arguments(update.get(field), f"JobUpdate.{field}")
    return dict(update)


def update_job(self: GlueResponse) -> ActionResult:
    """moto's action method for ``UpdateJob`` (moto dispatches ``UpdateJob`` to ``update_job``)."""
    try:
        name = limits.job_name(self._get_param("JobName"))
        update = checked_update(self._get_param("JobUpdate"))
    except GlueError as e:
        raise _MotoGlueError(e) from e
    job = self.glue_backend.get_job(name)  # moto's EntityNotFoundException for an unknown job
    for field, (attribute, reset) in JOB_UPDATE_FIELDS.items():
        value = update.get(field)
        setattr(job, attribute, reset if value is None else value)
    job.last_modified_on = utcnow()
    return ActionResult({"JobName": name})


def install() -> None:
    """Give moto's Glue responses the actions above (idempotent; before the first request)."""
    if getattr(GlueResponse, "update_job", None) not in (None, update_job):
        raise RuntimeError("this moto already serves UpdateJob: remove emulator/aws/glue/moto_jobs.py")
    GlueResponse.update_job = update_job  # type: ignore[attr-defined]
