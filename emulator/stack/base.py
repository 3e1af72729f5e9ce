"""The ``Stack`` interface: what `just up|down|status|logs|reset|env` ask of a lakehouse, whichever
profile runs it (embedded: host processes, emulator/stack/supervisor.py; compose: containers,
emulator/stack/compose.py). emulator/stack/profiles.py picks the one to use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Say = Callable[[str], None]


@dataclass(frozen=True)
class ServiceStart:
    """One service started by `up`: its process and when it answered its health check (wall clock)."""

    name: str
    pid: int | None  # None for a container
    spawned_at: float  # time.time() when its process was started
    ready_at: float  # time.time() when its health check first answered 200


@dataclass(frozen=True)
class StartReport:
    profile: str
    seconds: float  # `up` to every service ready
    began_at: float  # time.time() when `up` began
    started: tuple[ServiceStart, ...] = ()  # the services this `up` started (readiness per service)
    kept: tuple[str, ...] = ()  # services that were already up and kept running

    def ready_after(self, service: ServiceStart) -> float:
        return service.ready_at - self.began_at


@dataclass(frozen=True)
class ServiceState:
    """One line of `just status`."""

    name: str
    state: str  # "up", "not answering", "down", or a container's health
    ok: bool
    detail: str  # where it answers, its pid


class Stack(Protocol):
    @property
    def profile(self) -> str: ...

    def up(self, *, fresh: bool, create_buckets: bool, say: Say) -> StartReport:
        """Start what is not running and wait until every service answers."""

    def down(self, *, say: Say) -> None:
        """Stop every service; the state is kept."""

    def status(self) -> list[ServiceState]: ...

    def logs(self, service: str, lines: int, follow: bool) -> None:
        """Print a service's last ``lines`` log lines; ``follow``: then its new lines until interrupted."""

    def reset(self, *, say: Say) -> None:
        """Stop every service and delete all of the state."""

    def env(self) -> dict[str, str]:
        """What a client needs to find this stack (`just env`, stack.env)."""
