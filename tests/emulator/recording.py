"""Every HTTP exchange a catalog server answers, recorded at the server: what each real client was sent."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: str
    client: str  # "pyiceberg", "java", "duckdb" or "http" (anything else: requests in a test)
    status: int
    body: bytes
    headers: dict[str, str]  # the request's, names in lower case


def _client(headers: dict[bytes, bytes]) -> str:
    agent = headers.get(b"user-agent", b"").decode("latin-1").lower()
    if agent.startswith("pyiceberg"):
        return "pyiceberg"
    if "duckdb" in agent:
        return "duckdb"
    if b"x-client-version" in headers:  # Iceberg's Java HTTPClient (pyiceberg sends it too: checked first)
        return "java"
    return "http"


def path_pattern(endpoint: str) -> tuple[str, re.Pattern[str]]:
    """``"GET /v1/{prefix}/namespaces/{namespace}"`` → the method and a pattern for unprefixed paths."""
    method, template = endpoint.split(" ", 1)
    template = template.replace("/{prefix}", "")
    parts = re.split(r"\{[^}]+\}", template)
    return method, re.compile("[^/]+".join(re.escape(p) for p in parts))


class Recorder:
    """Pure ASGI around the catalog app; bodies are recorded as sent, after every other layer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status, chunks = 0, []
        headers = dict(scope["headers"])

        async def recording_send(message: Message) -> None:
            nonlocal status
            # Recorded before the answer is complete on the wire, so the client cannot act on it first: a HEAD,
            # 204 or 304 answer is complete with its headers (no body goes out), any other with its last chunk.
            if message["type"] == "http.response.start":
                status = message["status"]
                if scope["method"] == "HEAD" or status in (204, 304):
                    self._record(scope, headers, status, b"")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and not (scope["method"] == "HEAD" or status in (204, 304)):
                    self._record(scope, headers, status, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, recording_send)

    def _record(self, scope: Scope, headers: dict[bytes, bytes], status: int, body: bytes) -> None:
        sent = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in headers.items()}
        exchange = Exchange(
            scope["method"], scope["path"], scope["query_string"].decode(), _client(headers), status, body, sent
        )
        with self._lock:
            self._exchanges.append(exchange)

    def mark(self) -> int:
        with self._lock:
            return len(self._exchanges)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._exchanges[mark:]

    def calls(self, mark: int, endpoint: str, client: str | None = None) -> list[Exchange]:
        """The exchanges since ``mark`` that hit ``endpoint`` (from ``client``, if given)."""
        method, pattern = path_pattern(endpoint)
        return [
            e for e in self.since(mark)
            if e.method == method and pattern.fullmatch(e.path) and (client is None or e.client == client)
        ]  # fmt: skip
