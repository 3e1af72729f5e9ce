"""Which ``Stack`` a command talks to: the one the stack record names (started from this state
directory), or for `up`, the one asked for (``auto``: compose when a Docker engine answers)."""

from __future__ import annotations

from emulator.settings import Settings
from emulator.stack import record
from emulator.stack.base import Say, Stack
from emulator.stack.errors import StackError

PROFILES = ("embedded", "compose")


def _stack(settings: Settings, profile: str) -> Stack:
    # compose.py imports nothing heavy either, but only compose commands need it.
    if profile == "compose":
        from emulator.stack.compose import ComposeStack

        return ComposeStack(settings)
    from emulator.stack.supervisor import EmbeddedStack

    return EmbeddedStack(settings)


def current(settings: Settings) -> Stack:
    """The stack started from this state directory (embedded when none was: `down` then has nothing to stop)."""
    running = record.read(settings)
    return _stack(settings, running.profile if running is not None else "embedded")


def to_start(settings: Settings, target: str, say: Say = print) -> Stack:
    """The stack `up <target>` starts; refused while a stack of the other profile runs from this state directory."""
    if target == "auto":
        from emulator.stack.compose import engine_available

        target = "compose" if engine_available() else "embedded"
        reason = "a Docker engine answers" if target == "compose" else "no Docker engine answers"
        say(f"using the {target} profile: {reason} (force one with `just up embedded|compose`)")
    if target not in PROFILES:
        raise StackError(f"unknown profile {target!r}: one of auto, {', '.join(PROFILES)}")
    running = record.read(settings)
    if running is not None and running.profile != target:
        raise StackError(f"a {running.profile} lakehouse is running from {settings.state_dir}: `just down` first")
    return _stack(settings, target)
