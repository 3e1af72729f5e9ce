"""The AWS endpoint: a WSGI front that serves this project's extensions and hands every other
request to moto's server, all on one port (4566, LocalStack's edge port)."""

from __future__ import annotations

import io
import json
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from emulator import state_format
from emulator.aws import patches, persistence
from emulator.aws.buckets import ensure_buckets, stack_buckets
from emulator.aws.glue import moto_jobs
from emulator.aws.glue.exceptions import GlueError, invalid_input
from emulator.aws.glue.models import JobRuns
from emulator.aws.glue.responses import BOOKMARK_COMMIT_PATH, GlueResponses, before_moto, served_actions
from emulator.aws.glue.runner import JobRunner
from emulator.aws.glue.state import GlueState
from emulator.aws.persistence import Durability
from emulator.aws.stepfunctions.responses import list_state_machine_versions, validate_state_machine_definition
from emulator.clients import aws_client
from emulator.glue_runtime.warm_pool import WarmPool
from emulator.settings import Settings
from emulator.stack.services import AWS_HEALTH_PATH

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]
StartResponse = Callable[..., Any]
_REGION_RE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
HEALTH_PATH = AWS_HEALTH_PATH  # declared with the other services' in emulator/stack/services.py
MAX_BODY_BYTES = 8 * 1024 * 1024  # for the actions served here; Glue itself refuses ~180 kB requests
_DRAIN_CHUNK = 1024 * 1024
POOL_START_DELAY_SECONDS = 3.0  # `just up` reports both services ready first; a run before then fills it at once


class AwsEndpoint:
    """Routes JSON-protocol actions by ``X-Amz-Target`` to our handlers, the rest to moto."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._moto = DomainDispatcherApplication(create_backend_app)
        moto_jobs.install()  # UpdateJob, served (and journaled) as moto's
        self.warm_pool = WarmPool(settings)  # filled by serve() (in-process servers: on the first run)
        self.glue_state = GlueState(settings.layout.glue, self._runner)  # loads the stored runs
        # Set by serve() (durable state): journals what moto answers; None for in-process test servers.
        self.durability: Durability | None = None
        self.glue = GlueResponses(self.glue_state.runs, self.glue_state.bookmarks)
        self.before_moto = before_moto(self.glue)
        self.handlers: dict[str, Handler] = {
            **served_actions(self.glue),
            "AWSStepFunctions.ValidateStateMachineDefinition": validate_state_machine_definition,
            "AWSStepFunctions.ListStateMachineVersions": list_state_machine_versions,
        }

    def _runner(self, region: str) -> JobRunner:
        s3, logs = (aws_client(self.settings, service, region=region) for service in ("s3", "logs"))
        return JobRunner(self.settings, s3, logs, region, self.warm_pool)

    def runs(self, region: str) -> JobRuns:
        return self.glue_state.runs(region)

    def stop_all_runs(self) -> None:
        self.glue_state.stop_all_runs()

    def _region(self, environ: dict[str, Any]) -> str:
        match = _REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        return match[1] if match else self.settings.lakehouse.region

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            health = {"status": "ok", "patches": sorted(patches.applied()), "warm_drivers": self.warm_pool.status()}
            return self._respond(start_response, 200, health, "")
        if environ.get("PATH_INFO") == BOOKMARK_COMMIT_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self._serve(environ, start_response, self.glue.commit_job_bookmark, "application/json")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        handler = self.handlers.get(target)
        if handler is None:
            if target in self.before_moto:
                self._before_moto(environ, self.before_moto[target])
            if self.durability is not None:
                return self.durability.serve(self._moto, environ, start_response)
            return self._moto(environ, start_response)  # type: ignore[no-any-return]
        content_type = "application/x-amz-json-1.1" if "Glue" in target else "application/x-amz-json-1.0"
        region = self._region(environ)
        return self._serve(environ, start_response, lambda body: handler(region, body), content_type)

    def _before_moto(self, environ: dict[str, Any], hook: Callable[[str, dict[str, Any]], None]) -> None:
        """Let ``hook`` see the request, then give moto the same body to read."""
        length = environ.get("CONTENT_LENGTH") or "0"
        raw = environ["wsgi.input"].read(int(length)) if length.isdigit() and int(length) <= MAX_BODY_BYTES else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return  # moto answers the malformed request itself
        if isinstance(body, dict):
            hook(self._region(environ), body)

    def _serve(self, environ: dict[str, Any], start_response: StartResponse,
               handle: Callable[[dict[str, Any]], dict[str, Any]], content_type: str) -> list[bytes]:  # fmt: skip
        """One request to our handlers; every failure is an answer in the API's JSON error shape."""
        try:
            payload = handle(self._body(environ))
        except GlueError as e:
            return self._respond(start_response, e.status, e.as_body(), content_type)
        except JsonRESTError as e:  # moto's own API errors, raised by the backends our handlers use
            return self._respond(start_response, e.code, {"__type": e.error_type, "message": e.message}, content_type)
        except Exception as e:  # noqa: BLE001 - the boundary: a bug is a JSON 500, never a dropped connection
            traceback.print_exc(file=sys.stderr)
            error = {"__type": "InternalServiceException", "message": f"{type(e).__name__}: {e}"}
            return self._respond(start_response, 500, error, content_type)
        return self._respond(start_response, 200, payload, content_type)

    @staticmethod
    def _body(environ: dict[str, Any]) -> dict[str, Any]:
        text = environ.get("CONTENT_LENGTH") or "0"
        if not text.isdigit():
            raise GlueError("SerializationException", f"Content-Length {text!r} is not a number")
        length, stream = int(text), environ["wsgi.input"]
        if length > MAX_BODY_BYTES:
            for _ in range(0, length, _DRAIN_CHUNK):  # read it all, so the connection stays usable
                stream.read(min(_DRAIN_CHUNK, length))
            raise invalid_input(f"Request size limit exceeded: {length} bytes, at most {MAX_BODY_BYTES}")
        try:
            body = json.loads(stream.read(length) if length else b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise GlueError("SerializationException", f"the request body is not JSON: {e}") from e
        if not isinstance(body, dict):
            raise GlueError("SerializationException", "the request body must be a JSON object")
        return body

    @staticmethod
    def _respond(start_response: StartResponse, status: int, payload: Any, content_type: str) -> list[bytes]:
        data = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", content_type or "application/json"),
                                               ("Content-Length", str(len(data)))])  # fmt: skip
        return [data]


def make_aws_server(settings: Settings) -> tuple[BaseWSGIServer, AwsEndpoint]:
    """A threaded server on the configured host and port (port 0: any free port)."""
    app = AwsEndpoint(settings)
    server = make_server(settings.host, settings.aws_port, app, threaded=True, request_handler=MotoRequestHandler)
    patches.apply(server.server_port)
    return server, app


def _exit_on_sigterm(*_: object) -> None:
    raise SystemExit(0)  # so `down`'s SIGTERM runs the clean shutdown below (snapshot included)


def serve(settings: Settings, *, durable: bool = True, create_buckets: bool = True,
          before_serving: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Run the endpoint in the foreground until SIGTERM/SIGINT; stop every job run on the way out.

    ``durable``: restore and journal the state in ``<state dir>/aws`` (persistence.py);
    ``create_buckets``: the stack's buckets exist before the first request is answered;
    ``before_serving``: called once everything is restored, just before requests are answered."""
    if durable:  # before the endpoint writes anything there (its Glue store), as `up` does for the stack
        state_format.ensure(settings.state_dir)
    server, app = make_aws_server(settings)
    if durable:
        app.durability = persistence.attach(app._moto, frozenset(app.handlers), settings.state_dir)
        print(f"[aws] state restored: {app.durability.report}", file=sys.stderr, flush=True)
    if create_buckets:
        created = ensure_buckets(app, stack_buckets(settings), settings.lakehouse.region)
        print(f"[aws] created the stack buckets {created}" if created else "[aws] stack buckets present",
              file=sys.stderr, flush=True)  # fmt: skip
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if before_serving is not None:
        before_serving()
    app.warm_pool.start_after(POOL_START_DELAY_SECONDS)
    print(f"[aws] listening on http://{settings.host}:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        app.stop_all_runs()
        app.warm_pool.close()
        if app.durability is not None:
            app.durability.close()
        server.server_close()
