"""Glue job-run states (the ``JobRunState`` enum of the Glue API), declared once.

Read by the emulator (which moves runs through them), by tools that wait for runs and by tests.
A run is STARTING while Glue prepares it, RUNNING while the script runs, STOPPING after a stop
request; it ends in exactly one terminal state.
"""

from __future__ import annotations

STARTING = "STARTING"
RUNNING = "RUNNING"
STOPPING = "STOPPING"
WAITING = "WAITING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
TIMEOUT = "TIMEOUT"
STOPPED = "STOPPED"
ERROR = "ERROR"
EXPIRED = "EXPIRED"

ACTIVE_STATES = frozenset({STARTING, RUNNING, STOPPING, WAITING})
TERMINAL_STATES = frozenset({SUCCEEDED, FAILED, TIMEOUT, STOPPED, ERROR, EXPIRED})
JOB_RUN_STATES = ACTIVE_STATES | TERMINAL_STATES


def is_terminal(state: str) -> bool:
    return state in TERMINAL_STATES


# Step Functions execution statuses (the ``ExecutionStatus`` enum of the Step Functions API).
EXECUTION_RUNNING = "RUNNING"
EXECUTION_SUCCEEDED = "SUCCEEDED"
EXECUTION_FAILED = "FAILED"
EXECUTION_TIMED_OUT = "TIMED_OUT"
EXECUTION_ABORTED = "ABORTED"
EXECUTION_STATUSES = frozenset(
    {EXECUTION_RUNNING, EXECUTION_SUCCEEDED, EXECUTION_FAILED, EXECUTION_TIMED_OUT, EXECUTION_ABORTED}
)
