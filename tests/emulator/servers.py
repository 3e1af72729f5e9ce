"""Real servers for the emulator tests, each on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from werkzeug.serving import BaseWSGIServer

from emulator.aws.server import AwsEndpoint, make_aws_server
from emulator.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class UvicornThread:
    """Runs an ASGI app until stopped; the catalog server exactly as the stack serves it."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.port = port or free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> UvicornThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("catalog server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class AwsThread:
    """The AWS endpoint (moto + extensions) on a free port with its own state directory."""

    def __init__(self, state_dir: Path, **overrides: object) -> None:
        overrides.setdefault("glue_warm_drivers", 0)  # no idle JVMs for tests of plain scripts; ask for them
        base = load_settings({"LAKEHOUSE_STATE_DIR": str(state_dir)})
        self.settings: Settings = replace(base, aws_port=free_port(), catalog_port=free_port(), **overrides)  # type: ignore[arg-type]
        self.server: BaseWSGIServer
        self.app: AwsEndpoint
        self.server, self.app = make_aws_server(self.settings)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> AwsThread:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.app.stop_all_runs()
        self.app.warm_pool.close()
        self.server.shutdown()
        self.thread.join(timeout=20)
