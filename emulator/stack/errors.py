"""The stack's one error type: what `just up|down|status|logs|reset` report to the user."""

from __future__ import annotations


class StackError(RuntimeError):
    """The stack cannot be started, reached or stopped; the message says what to do."""
