"""``Idempotency-Key`` on every mutating request, with the REST spec's semantics, kept in the catalog's SQLite.

The spec (components/parameters/idempotency-key): with a key, a request has no effect beyond the first
one that carried it; once that first request is *finalized*, a request with the key gets an equivalent
final answer without the operation running again. Finalized and replayed: every answer below 500 (200,
204 and the deterministic 4xx such as 409 AlreadyExists or CommitFailed). Not finalized: 5xx, so a retry
after a 500/503 runs again.

Here:
- the first answer (status, ``Content-Type``, ``ETag``, body) is stored before it is sent, so a client
  that saw it can rely on every retry getting the same bytes, also after a catalog restart (the keys live
  in the catalog's SQLite database, table ``idempotency_keys``) and from a second catalog process on the
  same database. A replay carries ``Idempotency-Replayed: true`` besides the stored headers;
- a duplicate that arrives while the first is still running waits for its answer (polling the database,
  so it works across processes) for up to ``IN_FLIGHT_WAIT``; if the first is still running then, the
  duplicate gets 503 with ``Retry-After`` (not finalized: the client retries with the same key);
- a first request that never finished (its process died) is taken over by a retry once it has been in
  flight for ``ABANDONED_AFTER``;
- a key is kept for the advertised lifetime from its first use (``idempotency-key-lifetime`` in
  /v1/config); after that the key is forgotten and a request with it runs as a new one;
- the same key on the same route with a different body is answered with the first answer and applies
  nothing (the spec keys on the Idempotency-Key alone); the same key on a *different* route (another
  method or path) is refused with 422, because the stored answer is not one that client can parse;
- a key that is not a UUID in its 36-character form (the spec: UUIDv7, RFC 9562) is refused with 400.
  Any UUID version is accepted: the key's only job is to be unique, and Python before 3.14 has no uuid7.

The middleware sits inside ``BodyLimit`` (a refused body is never buffered) and inside ``ErrorBoundary``
(an unexpected exception releases the key, then becomes the 500).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import anyio.to_thread
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.catalog.errors import (
    BadRequestError,
    IcebergError,
    IdempotencyKeyReusedError,
    ServiceUnavailableError,
    error_response,
    from_http_status,
)
from emulator.catalog.protocol import IDEMPOTENCY_KEY, IDEMPOTENCY_REPLAYED, MUTATING_METHODS, RETRY_AFTER

IN_FLIGHT_WAIT = 30.0  # seconds a duplicate waits for the first request's answer
ABANDONED_AFTER = 120.0  # seconds after which an unfinished first request is presumed dead
POLL_INTERVAL = 0.02
_KEPT_HEADERS = (b"content-type", b"etag")  # what a replay repeats of the first answer's headers
_log = logging.getLogger("emulator.catalog")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    idempotency_key TEXT PRIMARY KEY,
    route TEXT NOT NULL,          -- method, path and query of the first request
    body_digest TEXT NOT NULL,    -- sha256 of its body
    first_seen REAL NOT NULL,     -- epoch seconds; the lifetime runs from here
    claimed_at REAL NOT NULL,     -- when the running attempt started (a takeover resets it)
    status INTEGER,               -- NULL while the first request runs
    headers TEXT,                 -- JSON list of [name, value]
    body BLOB
)
"""


@dataclass(frozen=True)
class StoredAnswer:
    route: str
    body_digest: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """This request is the one that runs."""


@dataclass(frozen=True)
class InFlight:
    """Another request with the key is running."""


Claim = Claimed | InFlight | StoredAnswer


def check_key(value: str) -> str:
    """The key, canonical (lower case), or BadRequestError: the spec's key is a UUID in string form."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) != 36:
        raise BadRequestError(
            f"invalid {IDEMPOTENCY_KEY} {value[:60]!r}: it must be a UUID in its 36-character string form "
            "(the spec asks for a UUIDv7, RFC 9562)"
        )
    return str(parsed)


class IdempotencyStore:
    """Keys and first answers in the catalog's SQLite database (one transaction per step, so two catalog
    processes on one database agree on which request runs)."""

    def __init__(self, engine: Engine, lifetime: timedelta) -> None:
        self.engine = engine
        self.lifetime = lifetime
        with engine.begin() as connection:
            connection.exec_driver_sql(_SCHEMA)

    def claim(self, key: str, route: str, body_digest: str) -> Claim:
        now = time.time()
        with self.engine.begin() as connection:
            # Forget expired keys first (the write also takes SQLite's lock: the steps below are serialised).
            connection.execute(
                text("DELETE FROM idempotency_keys WHERE first_seen < :cutoff"),
                {"cutoff": now - self.lifetime.total_seconds()},
            )
            taken_over = connection.execute(
                text(
                    "UPDATE idempotency_keys SET claimed_at = :now, route = :route, body_digest = :digest "
                    "WHERE idempotency_key = :key AND status IS NULL AND claimed_at < :abandoned"
                ),
                {"now": now, "route": route, "digest": body_digest, "key": key, "abandoned": now - ABANDONED_AFTER},
            )
            if taken_over.rowcount:
                _log.warning("%s %s: the first request never finished; this retry runs it", IDEMPOTENCY_KEY, key)
                return Claimed()
            inserted = connection.execute(
                text(
                    "INSERT INTO idempotency_keys (idempotency_key, route, body_digest, first_seen, claimed_at) "
                    "VALUES (:key, :route, :digest, :now, :now) ON CONFLICT (idempotency_key) DO NOTHING"
                ),
                {"key": key, "route": route, "digest": body_digest, "now": now},
            )
            if inserted.rowcount:
                return Claimed()
            row = connection.execute(
                text(
                    "SELECT route, body_digest, status, headers, body FROM idempotency_keys WHERE idempotency_key = :k"
                ),
                {"k": key},
            ).one()
        if row.status is None:
            return InFlight()
        headers = [(str(name), str(value)) for name, value in json.loads(row.headers)]
        return StoredAnswer(row.route, row.body_digest, int(row.status), headers, bytes(row.body))

    def finalize(self, key: str, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("UPDATE idempotency_keys SET status = :s, headers = :h, body = :b WHERE idempotency_key = :k"),
                {"s": status, "h": json.dumps(headers), "b": content, "k": key},
            )

    def release(self, key: str) -> None:
        """The running attempt ended without a final answer (5xx or an exception): a retry runs again."""
        with self.engine.begin() as connection:
            connection.execute(
                text("DELETE FROM idempotency_keys WHERE idempotency_key = :k AND status IS NULL"), {"k": key}
            )


class IdempotencyMiddleware:
    """Pure ASGI: buffers a keyed mutating request's body, decides (store) whether it runs, and stores the
    answer of the one that runs."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = IDEMPOTENCY_KEY.lower().encode()
        raw_key = dict(scope.get("headers", [])).get(header) if scope["type"] == "http" else None
        if raw_key is None or scope["method"] not in MUTATING_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            key = check_key(raw_key.decode("latin-1"))
            content = await _read_body(receive)
        except IcebergError as e:
            await error_response(e)(scope, receive, send)
            return
        route = f"{scope['method']} {scope['path']}" + (
            f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
        )
        digest = hashlib.sha256(content).hexdigest()
        answer = await self._await_claim(key, route, digest)
        if isinstance(answer, IcebergError):
            await error_response(answer, {RETRY_AFTER: "1"})(scope, receive, send)
        elif isinstance(answer, StoredAnswer):
            await self._replay(key, route, digest, answer, scope, receive, send)
        else:
            await self._run(key, content, scope, receive, send)

    async def _await_claim(self, key: str, route: str, digest: str) -> Claimed | StoredAnswer | IcebergError:
        deadline = time.monotonic() + IN_FLIGHT_WAIT
        while True:
            claim = await anyio.to_thread.run_sync(self.store.claim, key, route, digest)
            if not isinstance(claim, InFlight):
                return claim
            if time.monotonic() > deadline:
                return ServiceUnavailableError(
                    f"a request with {IDEMPOTENCY_KEY} {key} is still running; retry with the same key"
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def _replay(
        self, key: str, route: str, digest: str, answer: StoredAnswer, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if answer.route != route:
            error = IdempotencyKeyReusedError(
                f"{IDEMPOTENCY_KEY} {key} was first used for {answer.route}, not {route}: a key names one "
                "operation (generate a new key for a different one); nothing was applied"
            )
            await error_response(error)(scope, receive, send)
            return
        if answer.body_digest != digest:
            _log.warning(
                "%s %s reused with a different body on %s: answered with the first answer", IDEMPOTENCY_KEY, key, route
            )
        headers = {name: value for name, value in answer.headers} | {IDEMPOTENCY_REPLAYED: "true"}
        await Response(answer.body, status_code=answer.status, headers=headers)(scope, receive, send)

    async def _run(self, key: str, content: bytes, scope: Scope, receive: Receive, send: Send) -> None:
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:  # the body is spent: later calls only listen for the client's disconnect
                return await receive()
            delivered = True
            return {"type": "http.request", "body": content, "more_body": False}

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await anyio.to_thread.run_sync(self.store.release, key)
            raise
        if start is None:
            await anyio.to_thread.run_sync(self.store.release, key)
            raise RuntimeError("the catalog app finished without an answer")
        status, answer = int(start["status"]), b"".join(chunks)
        if status < 500:
            kept = [
                (n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"] if n.lower() in _KEPT_HEADERS
            ]
            await anyio.to_thread.run_sync(self.store.finalize, key, status, kept, answer)
        else:
            await anyio.to_thread.run_sync(self.store.release, key)
        await send(start)
        await send({"type": "http.response.body", "body": answer, "more_body": False})


async def _read_body(receive: Receive) -> bytes:
    """The whole body. ``BodyLimit`` (outside) raises Starlette's 413 while it is read: answered here, as the
    routes' exception handlers would."""
    parts: list[bytes] = []
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequestError("the client disconnected before sending the whole body")
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(parts)
    except StarletteHTTPException as e:
        raise from_http_status(e.status_code, str(e.detail)) from e
