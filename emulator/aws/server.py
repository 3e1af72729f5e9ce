"""The AWS endpoint: a WSGI front that serves this project's extensions and hands every other
request to moto's server, all on one port (4566, LocalStack's edge port)."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from emulator.aws import patches
from emulator.aws.glue.models import GlueError, JobRuns
from emulator.aws.glue.responses import GlueJobRunResponses
from emulator.aws.glue.runner import JobRunner
from emulator.aws.stepfunctions.responses import list_state_machine_versions, validate_state_machine_definition
from emulator.clients import aws_client
from emulator.settings import Settings

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]
StartResponse = Callable[..., Any]
_REGION_RE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
HEALTH_PATH = "/_lakehouse/health"


class AwsEndpoint:
    """Routes JSON-protocol actions by ``X-Amz-Target`` to our handlers, the rest to moto."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._runs: dict[str, JobRuns] = {}
        self._runners: dict[str, JobRunner] = {}
        self._lock = threading.Lock()
        glue = GlueJobRunResponses(self.runs)
        self.handlers: dict[str, Handler] = {
            "AWSGlue.StartJobRun": glue.start_job_run,
            "AWSGlue.GetJobRun": glue.get_job_run,
            "AWSGlue.GetJobRuns": glue.get_job_runs,
            "AWSGlue.BatchStopJobRun": glue.batch_stop_job_run,
            "AWSStepFunctions.ValidateStateMachineDefinition": validate_state_machine_definition,
            "AWSStepFunctions.ListStateMachineVersions": list_state_machine_versions,
        }

    def runs(self, region: str) -> JobRuns:
        with self._lock:
            if region not in self._runs:
                s3, logs = (aws_client(self.settings, service, region=region) for service in ("s3", "logs"))
                runner = JobRunner(self.settings, s3, logs)
                self._runners[region] = runner
                self._runs[region] = JobRuns(runner)
            return self._runs[region]

    def stop_all_runs(self) -> None:
        for region, runs in self._runs.items():
            self._runners[region].stop_all(runs.active())

    def _region(self, environ: dict[str, Any]) -> str:
        match = _REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        return match[1] if match else self.settings.lakehouse.region

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return self._respond(start_response, 200, {"status": "ok", "patches": sorted(patches.applied())}, "")
        handler = self.handlers.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if handler is None:
            return self._moto(environ, start_response)  # type: ignore[no-any-return]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b"{}"
        content_type = (
            "application/x-amz-json-1.1" if "Glue" in environ["HTTP_X_AMZ_TARGET"] else "application/x-amz-json-1.0"
        )
        try:
            body = json.loads(raw or b"{}")
            payload = handler(self._region(environ), body)
        except json.JSONDecodeError as e:
            return self._respond(
                start_response, 400, {"__type": "SerializationException", "message": str(e)}, content_type
            )
        except GlueError as e:
            return self._respond(start_response, 400, {"__type": e.code, "message": e.message}, content_type)
        except JsonRESTError as e:  # moto's own API errors, raised by the backends our handlers use
            return self._respond(start_response, e.code, {"__type": e.error_type, "message": e.message}, content_type)
        return self._respond(start_response, 200, payload, content_type)

    @staticmethod
    def _respond(start_response: StartResponse, status: int, payload: Any, content_type: str) -> list[bytes]:
        data = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", content_type or "application/json"),
                                               ("Content-Length", str(len(data)))])  # fmt: skip
        return [data]


def make_aws_server(settings: Settings) -> tuple[BaseWSGIServer, AwsEndpoint]:
    """A threaded server on the configured host and port (port 0: any free port)."""
    app = AwsEndpoint(settings)
    server = make_server(settings.host, settings.aws_port, app, threaded=True, request_handler=MotoRequestHandler)
    patches.apply(server.server_port)
    return server, app


def serve(settings: Settings) -> None:
    """Run the endpoint in the foreground until SIGTERM/SIGINT; stop every job run on the way out."""
    server, app = make_aws_server(settings)
    print(f"[aws] listening on http://{settings.host}:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        app.stop_all_runs()
        server.server_close()
