"""What the tools that talk to the running lakehouse share."""

from __future__ import annotations

from emulator.settings import Settings

# How often a follower asks a local run or execution how it is: each question is a cheap local
# request, and the answer's delay is added to every run a developer waits for.
FOLLOW_POLL_SECONDS = 0.25


def require_running(settings: Settings) -> None:
    """Exit with what to do when the lakehouse ``settings`` names is not running."""
    from emulator.stack.supervisor import is_up

    if not is_up(settings):
        raise SystemExit("error: the lakehouse is not running: start it with `just up`")
