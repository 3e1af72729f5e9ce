"""``python -m emulator up|down|status|logs|reset|env|serve``: the local lakehouse from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from emulator.settings import Settings, SettingsError, load_settings
from emulator.stack import supervisor
from emulator.stack.compose import ComposeError
from emulator.state_format import StateFormatError


def _summary(settings: Settings, seconds: float, profile: str) -> None:
    lakehouse = settings.lakehouse
    print(f"\nlakehouse up ({profile}) in {seconds:.1f}s")
    print(f"  AWS endpoint     {settings.aws_endpoint}   S3 IAM STS Glue StepFunctions Logs Events SNS KMS")
    print(f"  Iceberg catalog  {settings.catalog_uri}   warehouse {lakehouse.warehouse}")
    print(f"  state            {settings.state_dir}   (durable; logs: just logs; stop: just down; wipe: just reset)")
    print(f'  client env       {settings.state_dir / supervisor.STACK_ENV}   (eval "$(just env)" in a shell)')


def _up(settings: Settings, target: str, *, fresh: bool, create_buckets: bool) -> None:
    from emulator.stack import compose

    if target == "auto":
        target = "compose" if compose.engine_available() else "embedded"
        reason = "a Docker engine answers" if target == "compose" else "no Docker engine answers"
        print(f"using the {target} profile: {reason} (force one with `just up embedded|compose`)")
    running = supervisor.running_profile(settings)
    if running not in (None, target):
        raise supervisor.StackError(f"a {running} lakehouse is running from {settings.state_dir}: `just down` first")
    if target == "embedded":
        _summary(settings, supervisor.up(settings, fresh=fresh, create_buckets=create_buckets), "embedded")
        return
    if not compose.engine_available():
        raise supervisor.StackError("no Docker engine answers (or no `docker compose` plugin): use `just up embedded`")
    if fresh or not create_buckets:
        raise supervisor.StackError(
            "--fresh/--no-buckets apply to the embedded profile; the compose stack keeps its state in named "
            "volumes: `docker compose -f compose/compose.yaml down --volumes` empties them"
        )
    seconds = compose.up(settings)
    supervisor.record_compose_stack(settings)
    _summary(settings, seconds, "compose")


def _down(settings: Settings) -> None:
    from emulator.stack import compose

    if supervisor.running_profile(settings) == "compose":
        compose.down(settings)
        supervisor.forget_stack(settings)
    else:
        supervisor.down(settings)


def _status(settings: Settings) -> int:
    from emulator.stack.report import describe

    if supervisor.running_profile(settings) == "compose":
        from emulator.stack import compose

        health = compose.service_health(settings)
        for name in compose.SERVICES:
            print(f"{name:8} {health.get(name, 'down'):14} (compose)")
        if any(health.get(name) != "healthy" for name in compose.SERVICES):
            return 1
    else:
        services = supervisor.status(settings)
        for service in services:
            state = "up" if service.alive and service.healthy else ("not answering" if service.alive else "down")
            print(f"{service.name:8} {state:14} {service.url}" + (f"  pid {service.pid}" if service.pid else ""))
        if not all(s.alive and s.healthy for s in services):
            return 1
    from emulator.clients import aws_client

    for line in describe(aws_client(settings, "glue"), aws_client(settings, "stepfunctions")):
        print(line)
    return 0


def _logs(settings: Settings, service: str, lines: int, follow: bool) -> int:
    if supervisor.running_profile(settings) == "compose":
        from emulator.stack import compose

        compose.logs(settings, service, lines, follow)
        return 0
    print(supervisor.tail_log(settings, service, lines))
    path = settings.state_dir / "logs" / f"{service}.log"
    if follow and path.is_file():
        with path.open(errors="replace") as log:
            log.seek(0, 2)
            while True:
                line = log.readline()
                if line:
                    print(line, end="", flush=True)
                else:
                    time.sleep(0.3)
    return 0


def _reset(settings: Settings, *, assume_yes: bool) -> int:
    if not assume_yes:
        if not sys.stdin.isatty():
            print("error: `reset` deletes every table, object, job and log: confirm with `just reset --yes`",
                  file=sys.stderr)  # fmt: skip
            return 1
        answer = input(f"delete all lakehouse state in {settings.state_dir} (tables, S3, jobs, logs)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("reset: nothing deleted")
            return 1
    supervisor.reset(settings)
    return 0


def _serve(settings: Settings, service: str, *, create_buckets: bool) -> int:
    if service == "aws":
        from emulator.aws.server import serve as serve_aws

        serve_aws(settings, create_buckets=create_buckets)
    else:
        from emulator.catalog.server import serve as serve_catalog

        serve_catalog(settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the lakehouse and wait until it answers")
    up.add_argument("target", nargs="?", default="auto", choices=["auto", "embedded", "compose"],
                    help="auto: compose when a Docker engine answers, else embedded")  # fmt: skip
    up.add_argument("--fresh", action="store_true", help="wipe the state first (logs kept) and start empty")
    up.add_argument("--no-buckets", dest="create_buckets", action="store_false",
                    help="do not create the stack's buckets (an apply that must own them)")  # fmt: skip
    commands.add_parser("down", help="stop it (its state is kept: the next up continues from it)")
    commands.add_parser("status", help="health, Glue job runs and pipeline executions")
    logs = commands.add_parser("logs", help="a service's log")
    logs.add_argument("service", nargs="?", default="aws", choices=[*supervisor.SERVICES, "spark"])
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.add_argument("-f", "--follow", action="store_true")
    reset = commands.add_parser("reset", help="stop it and delete all of its state (asks first)")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    commands.add_parser("env", help='print export lines for a shell: eval "$(python -m emulator env)"')
    serve = commands.add_parser("serve", help="run one service in the foreground (what up starts)")
    serve.add_argument("service", choices=supervisor.SERVICES)
    serve.add_argument("--no-buckets", dest="create_buckets", action="store_false",
                       help="aws: do not create the stack's buckets at start")  # fmt: skip
    options = parser.parse_args(argv)
    try:
        settings = load_settings()
        if options.command == "up":
            _up(settings, options.target, fresh=options.fresh, create_buckets=options.create_buckets)
        elif options.command == "down":
            _down(settings)
        elif options.command == "status":
            return _status(settings)
        elif options.command == "logs":
            return _logs(settings, options.service, options.lines, options.follow)
        elif options.command == "reset":
            return _reset(settings, assume_yes=options.yes)
        elif options.command == "env":
            for key, value in settings.client_environment().items():
                print(f"export {key}={value}")
        else:
            return _serve(settings, options.service, create_buckets=options.create_buckets)
    except (supervisor.StackError, SettingsError, ComposeError, StateFormatError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
