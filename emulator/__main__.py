"""``python -m emulator up|down|status|logs|reset|env|serve``: the local lakehouse from the command line."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence

from emulator.settings import Settings, SettingsError, load_settings
from emulator.stack import profiles
from emulator.stack.base import StartReport
from emulator.stack.errors import StackError
from emulator.stack.record import STACK_ENV
from emulator.stack.services import EMBEDDED_SERVICES
from emulator.state_format import StateFormatError

SERVICES = tuple(service.name for service in EMBEDDED_SERVICES)

# Nothing above imports what the services load (moto, pyiceberg, FastAPI): `up`, `down`, `status`
# and `env` start in a fraction of a second; `serve` imports its server when it runs.


def _summary(settings: Settings, report: StartReport) -> None:
    lakehouse = settings.lakehouse
    print(f"\nlakehouse up ({report.profile}) in {report.seconds:.1f}s")
    print(f"  AWS endpoint     {settings.aws_endpoint}   S3 IAM STS Glue StepFunctions Logs Events SNS KMS")
    print(f"  Iceberg catalog  {settings.catalog_uri}   warehouse {lakehouse.warehouse}")
    print(f"  state            {settings.state_dir}   (durable; logs: just logs; stop: just down; wipe: just reset)")
    print(f'  client env       {settings.state_dir / STACK_ENV}   (eval "$(just env)" in a shell)')


def _up(settings: Settings, target: str, *, fresh: bool, create_buckets: bool) -> None:
    stack = profiles.to_start(settings, target)
    _summary(settings, stack.up(fresh=fresh, create_buckets=create_buckets, say=print))


def _status(settings: Settings) -> int:
    from emulator.clients import aws_client
    from emulator.stack.report import describe

    states = profiles.current(settings).status()
    for service in states:
        print(f"{service.name:8} {service.state:14} {service.detail}")
    if not all(service.ok for service in states):
        return 1
    for line in describe(aws_client(settings, "glue"), aws_client(settings, "stepfunctions")):
        print(line)
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
    profiles.current(settings).reset(say=print)
    return 0


def _serve(settings: Settings, service: str, *, create_buckets: bool) -> int:
    """One service in the foreground. Its start-up builds several hundred thousand long-lived objects
    (moto's backends and ASL parser, pyiceberg's and pydantic's models): the cyclic collector would
    scan them again and again for nothing, so it is off until the service is about to answer, and
    what start-up built is then frozen out of its scans."""
    print(f"[{service}] process {os.getpid()} starting at {time.time():.3f}", file=sys.stderr, flush=True)
    gc.disable()

    def ready() -> None:
        gc.freeze()
        gc.enable()
        cpu = sum(os.times()[:2])
        print(f"[{service}] serving from {time.time():.3f} (start-up: {cpu:.2f}s of CPU)", file=sys.stderr, flush=True)

    if service == "aws":
        from emulator.aws.server import serve as serve_aws

        serve_aws(settings, create_buckets=create_buckets, before_serving=ready)
    else:
        from emulator.catalog.server import serve as serve_catalog

        serve_catalog(settings, before_serving=ready)
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
    logs.add_argument("service", nargs="?", default="aws", choices=[*SERVICES, "spark"])
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.add_argument("-f", "--follow", action="store_true")
    reset = commands.add_parser("reset", help="stop it and delete all of its state (asks first)")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    commands.add_parser("env", help='print export lines for a shell: eval "$(python -m emulator env)"')
    serve = commands.add_parser("serve", help="run one service in the foreground (what up starts)")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--no-buckets", dest="create_buckets", action="store_false",
                       help="aws: do not create the stack's buckets at start")  # fmt: skip
    options = parser.parse_args(argv)
    try:
        settings = load_settings()
        if options.command == "up":
            _up(settings, options.target, fresh=options.fresh, create_buckets=options.create_buckets)
        elif options.command == "down":
            profiles.current(settings).down(say=print)
        elif options.command == "status":
            return _status(settings)
        elif options.command == "logs":
            profiles.current(settings).logs(options.service, options.lines, options.follow)
        elif options.command == "reset":
            return _reset(settings, assume_yes=options.yes)
        elif options.command == "env":
            for key, value in profiles.current(settings).env().items():
                print(f"export {key}={value}")
        else:
            return _serve(settings, options.service, create_buckets=options.create_buckets)
    except (StackError, SettingsError, StateFormatError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
