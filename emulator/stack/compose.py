"""The compose profile: the lakehouse as containers (compose/compose.yaml), driven from the host.

Images are built in order with the classic builder (no buildx needed): the glue-runtime image
first, then the emulator image ``FROM`` it. Their build context is the repository root with an
allowlist (.dockerignore); ``prepare_build_context`` fills ``compose/build-context/`` (git-ignored)
with what the images install: the hash-verified jars core provisions, the core wheel, and the
runtime/emulator requirements exported from uv.lock with hashes. Extra CA certificates are copied
only when ``LAKEHOUSE_BUILD_CA_DIR`` names a folder (CI machines behind a TLS-inspecting proxy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from emulator.settings import REPO_ROOT, Settings
from emulator.stack import record
from emulator.stack.base import Say, ServiceState, StartReport
from emulator.stack.errors import StackError

COMPOSE_DIR = REPO_ROOT / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
BUILD_CONTEXT = COMPOSE_DIR / "build-context"
PROJECT = "domain-project-lakehouse"
SERVICES = ("aws", "catalog", "spark")


class ComposeError(StackError):
    """docker compose failed; the message carries its output."""


def engine_available() -> bool:
    """True when a Docker engine answers (and the compose plugin is installed)."""
    if shutil.which("docker") is None:
        return False
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, check=False)
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return info.returncode == 0 and plugin.returncode == 0


def _run(args: Sequence[str], *, env: Mapping[str, str] | None = None, capture: bool = True) -> str:
    done = subprocess.run(
        list(args), cwd=REPO_ROOT, env={**os.environ, **(env or {})}, text=True, capture_output=capture, check=False
    )
    if done.returncode != 0:
        raise ComposeError(f"{' '.join(args)} failed:\n{(done.stdout or '')[-4000:]}{(done.stderr or '')[-4000:]}")
    return done.stdout or ""


def compose_env(settings: Settings) -> dict[str, str]:
    return {"AWS_PORT": str(settings.aws_port), "CATALOG_PORT": str(settings.catalog_port)}


def compose(settings: Settings, *args: str, capture: bool = True) -> str:
    command = ["docker", "compose", "--project-name", PROJECT, "--file", str(COMPOSE_FILE), *args]
    return _run(command, env=compose_env(settings), capture=capture)


def prepare_build_context(say: Callable[[str], None] = print) -> Path:
    """Fill compose/build-context/ with jars, the core wheel and hash-pinned requirements."""
    from core.config import load_config
    from core.jars import ensure_jars

    shutil.rmtree(BUILD_CONTEXT, ignore_errors=True)
    for folder in ("jars", "dist", "ca-certificates"):
        (BUILD_CONTEXT / folder).mkdir(parents=True)
    config = load_config(environ={})
    for jar in ensure_jars(config.jars_cache_dir, index_url=config.jars_index_url):
        shutil.copy2(jar, BUILD_CONTEXT / "jars" / jar.name)
    _run(["uv", "build", "--wheel", "--out-dir", str(BUILD_CONTEXT / "dist")])
    # The emulator's services import core from source (their venv is not the jobs' one).
    shutil.copytree(REPO_ROOT / "core", BUILD_CONTEXT / "core", ignore=shutil.ignore_patterns("__pycache__"))
    for group in ("runtime", "emulator"):
        requirements = _run(["uv", "export", "--frozen", "--no-emit-project", "--only-group", group, "--no-header"])
        (BUILD_CONTEXT / f"requirements-{group}.txt").write_text(requirements)
    if ca_dir := os.environ.get("LAKEHOUSE_BUILD_CA_DIR"):
        for certificate in Path(ca_dir).glob("*.crt"):
            shutil.copy2(certificate, BUILD_CONTEXT / "ca-certificates" / certificate.name)
    say(f"build context ready in {BUILD_CONTEXT.relative_to(REPO_ROOT)}")
    return BUILD_CONTEXT


def build(settings: Settings, say: Callable[[str], None] = print) -> float:
    """Build the images in order: glue-runtime, then the emulator on top of it."""
    started = time.monotonic()
    prepare_build_context(say)
    for service in ("spark", "aws"):
        say(f"building the {service} image ...")
        try:
            compose(settings, "build", service)
        except ComposeError as e:
            if "CERTIFICATE_VERIFY_FAILED" in str(e):
                raise ComposeError(
                    f"{e}\nHTTPS inside the build is intercepted by a proxy: set LAKEHOUSE_BUILD_CA_DIR to the "
                    "folder of its CA certificates (*.crt) and build again"
                ) from e
            raise
    return time.monotonic() - started


def image_sizes() -> dict[str, int]:
    sizes = {}
    for image in ("domain-project/glue-runtime:dev", "domain-project/emulator:dev"):
        output = _run(["docker", "image", "inspect", "--format", "{{.Size}}", image])
        sizes[image] = int(output.strip())
    return sizes


def up(settings: Settings, *, rebuild: bool = False, say: Callable[[str], None] = print) -> float:
    """Start the containers (building the images if missing) and wait until every one is healthy."""
    started = time.monotonic()
    images = _run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"]).split()
    if rebuild or not {"domain-project/glue-runtime:dev", "domain-project/emulator:dev"} <= set(images):
        build(settings, say)
    say("starting the lakehouse (compose): aws, catalog, spark ...")
    compose(settings, "up", "--detach", "--wait", "--no-build")
    return time.monotonic() - started


def down(settings: Settings) -> None:
    compose(settings, "down", "--remove-orphans", "--timeout", "20")


def service_health(settings: Settings) -> dict[str, str]:
    """Service name → its container's health (healthy, starting, unhealthy, or its state)."""
    output = compose(settings, "ps", "--all", "--format", "json")
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    if len(rows) == 1 and isinstance(rows[0], list):  # older compose prints one JSON array
        rows = rows[0]
    return {row["Service"]: row.get("Health") or row.get("State", "?") for row in rows}


def logs(settings: Settings, service: str, lines: int, follow: bool) -> None:
    args = ["logs", "--tail", str(lines), *(["--follow"] if follow else []), service]
    compose(settings, *args, capture=False)


class ComposeStack:
    """The ``Stack`` of containers. compose waits for every container's health check itself, so
    readiness is reported for the stack as a whole."""

    profile = "compose"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def up(self, *, fresh: bool = False, create_buckets: bool = True, say: Say = print) -> StartReport:
        if not engine_available():
            raise StackError("no Docker engine answers (or no `docker compose` plugin): use `just up embedded`")
        if fresh or not create_buckets:
            raise StackError(
                "--fresh/--no-buckets apply to the embedded profile; the compose stack keeps its state in named "
                "volumes: `docker compose -f compose/compose.yaml down --volumes` empties them"
            )
        began = time.time()
        seconds = up(self.settings, say=say)
        record.write(self.settings, self.profile, {})
        record.write_client_env(self.settings)
        return StartReport(self.profile, seconds, began)

    def down(self, *, say: Say = print) -> None:
        say("stopping the lakehouse (compose)")
        down(self.settings)
        record.forget(self.settings)

    def status(self) -> list[ServiceState]:
        health = service_health(self.settings)
        return [
            ServiceState(name, health.get(name, "down"), health.get(name) == "healthy", "(compose)")
            for name in SERVICES
        ]

    def logs(self, service: str, lines: int, follow: bool) -> None:
        logs(self.settings, service, lines, follow)

    def reset(self, *, say: Say = print) -> None:
        """The containers and their named volumes (the stack's state) go, then what the host's state
        directory holds (the record, stack.env, Terraform's local state, logs), as for the embedded stack."""
        from emulator.stack import supervisor

        compose(self.settings, "down", "--remove-orphans", "--volumes", "--timeout", "20")
        say("reset: the compose lakehouse's containers and volumes are deleted")
        supervisor.reset(self.settings, say=say)

    def env(self) -> dict[str, str]:
        return self.settings.client_environment()
