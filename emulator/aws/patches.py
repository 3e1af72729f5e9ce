"""Every change this project makes to moto's behaviour, in one place, each verified when applied.

moto is pinned (see pyproject.toml). ``apply()`` refuses to run on another version, and each
patch checks that the code it wraps still looks the way it was verified, so an upgrade fails
loudly here instead of silently misbehaving. tests/emulator/test_patches.py proves each one.

1. Step Functions execution: moto's interpreter only runs definitions when configured to.
2. ``glue:startJobRun.sync``: moto 5.2.5's callback task evaluation calls
   ``callback_endpoint.interrupt_all()`` in a ``finally`` even when the service (Glue) has no
   callback endpoint, so every ``.sync`` Glue task fails with AttributeError. The wrapper gives
   such tasks a callback endpoint for the duration of the call.
3. The interpreter calls AWS services at ``http://localhost:$MOTO_PORT``: set to our port.
4. ``$$.Execution.StartTime``: AWS gives an ISO 8601 string; moto 5.2.5 puts a datetime in the
   context object, so intrinsics such as ``States.StringSplit($$.Execution.StartTime, 'T')``
   (how a scheduled pipeline derives its run date) fail with TypeError.
5. Parallel and Map states re-raise a failed branch's error: moto 5.2.5 wraps the name as a
   custom error name, which refuses the ``States.`` prefix, so a branch failing with
   ``States.TaskFailed`` (any failed Glue run) crashes the execution with ValueError instead of
   reaching the state's Catch. States errors are re-raised as States error names, as in AWS.
6. The output of a ``glue:startJobRun.sync`` task is the GetJobRun result as botocore parsed it,
   with datetime values; moto then cannot serialise the execution (DescribeExecution answers
   500). Timestamps become epoch milliseconds, as in the integration's output on AWS.
7. A ``.sync`` task checks its job every 0.5 s in moto 5.2.5: here every :data:`SYNC_CHECK_SECONDS`
   (a GetJobRun on this endpoint costs milliseconds), so a pipeline's next step starts soon after
   its run ends. Emulator-local tuning: AWS's own checks are slower and not specified.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import os
import threading
from collections.abc import Callable
from typing import Any

import moto

VERIFIED_MOTO_VERSION = "5.2.5"
SYNC_CHECK_SECONDS = 0.1
_lock = threading.Lock()
_applied: set[str] = set()


class PatchError(RuntimeError):
    """moto changed in a way the patches were not verified against."""


def _check_version() -> None:
    if moto.__version__ != VERIFIED_MOTO_VERSION:
        raise PatchError(
            f"moto {moto.__version__} is installed but emulator/aws/patches.py was verified against "
            f"{VERIFIED_MOTO_VERSION}: re-run tests/emulator/test_patches.py and update the pin"
        )


def enable_step_functions_execution() -> None:
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}


_MARK = "__wrapped_by_domain_project__"
Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]


def _wrap_method(cls: type, name: str, must_contain: tuple[str, ...], patch: str, wrap: Wrapper) -> None:
    """Replace ``cls.name`` by ``wrap(original)`` once, after checking the original still has the
    code the patch was verified against (else PatchError names the patch to re-verify)."""
    original = getattr(cls, name)
    if getattr(original, _MARK, False):
        return
    source = inspect.getsource(original)
    if not all(fragment in source for fragment in must_contain):
        raise PatchError(f"moto's {cls.__name__}.{name} changed: re-verify the {patch} patch")
    wrapper = functools.wraps(original)(wrap(original))
    setattr(wrapper, _MARK, True)
    setattr(cls, name, wrapper)


def fix_glue_sync_callback_endpoint() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
        StateTaskServiceGlue,
    )

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def with_callback_endpoint(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
            context = env.states.context_object
            had_task = "Task" in context.context_object_data
            env.callback_pool_manager.add(context.update_task_token())
            patterns = self._supported_integration_patterns
            self._supported_integration_patterns = patterns | {ResourceCondition.WaitForTaskToken}
            try:
                return original(self, env, *args, **kwargs)
            finally:
                self._supported_integration_patterns = patterns
                if not had_task:
                    context.context_object_data.pop("Task", None)

        return with_callback_endpoint

    must_contain = ("callback_endpoint.interrupt_all()", "WaitForTaskToken in self._supported")
    _wrap_method(StateTaskServiceGlue, "_eval_integration_pattern", must_contain, "glue .sync", wrap)


def _iso8601(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def fix_execution_start_time_format() -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def with_iso_start_time(self: Any) -> Any:
            env = original(self)
            execution = env.states.context_object.context_object_data["Execution"]
            start: Any = execution.get("StartTime")  # typed str by moto, a datetime in fact
            if isinstance(start, dt.datetime):
                execution["StartTime"] = _iso8601(start)
            return env

        return with_iso_start_time

    _wrap_method(ExecutionWorker, "_get_evaluation_environment", ("StartTime=",), "StartTime", wrap)


def _epoch_millis(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: _epoch_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch_millis(v) for v in value]
    return value


def fix_glue_sync_output_timestamps() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
        StateTaskServiceGlue,
    )

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def with_json_timestamps(self: Any, *args: Any, **kwargs: Any) -> Any:
            resolver = original(self, *args, **kwargs)
            if resolver is None:
                return None
            return lambda: _epoch_millis(resolver())

        return with_json_timestamps

    _wrap_method(StateTaskServiceGlue, "_sync_to_start_job_run", ("get_job_run",), "glue .sync output", wrap)


def fix_branch_error_names() -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    def error_name(error_name: str | None) -> Any:
        if error_name is not None and error_name.startswith("States."):
            return StatesErrorName.from_name(error_name)
        return CustomErrorName(error_name=error_name)

    for module in (branches_decl, iteration_worker):
        current = getattr(module, "CustomErrorName", None)
        if getattr(current, _MARK, False):
            continue
        if current is not CustomErrorName or "CustomErrorName(error_name=" not in inspect.getsource(module):
            raise PatchError(f"{module.__name__} changed: re-verify the branch error name patch")
        setattr(error_name, _MARK, True)
        setattr(module, "CustomErrorName", error_name)  # noqa: B010 - rebinding the name the module calls


def shorten_sync_checks() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as callback,
    )

    name = "_DELAY_SECONDS_SYNC_CONDITION_CHECK"  # read by the .sync loop on every check
    current = getattr(callback, name, None)
    if current not in (0.5, SYNC_CHECK_SECONDS) or f"time.sleep({name})" not in inspect.getsource(callback):
        raise PatchError(f"{callback.__name__} changed: re-verify the .sync check interval patch")
    setattr(callback, name, SYNC_CHECK_SECONDS)


def point_interpreter_at(port: int) -> None:
    os.environ["MOTO_PORT"] = str(port)


def apply(port: int) -> None:
    """Apply every patch (idempotent) for a server listening on ``port``."""
    with _lock:
        _check_version()
        enable_step_functions_execution()
        fix_glue_sync_callback_endpoint()
        fix_execution_start_time_format()
        fix_branch_error_names()
        fix_glue_sync_output_timestamps()
        shorten_sync_checks()
        point_interpreter_at(port)
        _applied.update(
            {"sfn-execution", "glue-sync", "start-time-iso8601", "branch-errors", "glue-sync-output", "sync-checks",
             "moto-port"}
        )  # fmt: skip


def applied() -> frozenset[str]:
    return frozenset(_applied)
