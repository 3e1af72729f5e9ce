"""What the tools that talk to the running lakehouse share."""

from __future__ import annotations

from emulator.settings import Settings


def require_running(settings: Settings) -> None:
    """Exit with what to do when the lakehouse ``settings`` names is not running."""
    from emulator.stack.supervisor import is_up

    if not is_up(settings):
        raise SystemExit("error: the lakehouse is not running: start it with `just up`")
