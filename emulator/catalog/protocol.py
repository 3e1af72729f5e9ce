"""The REST spec's protocol features beyond routes, declared once: header names, which requests mutate,
the access-delegation mechanisms, paging bounds and the idempotency-key lifetime's default.

Routes live in ``emulator.catalog.endpoints``; the behaviour behind these names lives in
``etag``, ``idempotency``, ``delegation`` and ``paging``.
"""

from __future__ import annotations

from datetime import timedelta

# Request and response headers (the spec's components/parameters, RFC 9110 for the conditional ones).
ETAG = "ETag"
IF_NONE_MATCH = "If-None-Match"
IDEMPOTENCY_KEY = "Idempotency-Key"
ACCESS_DELEGATION = "X-Iceberg-Access-Delegation"
RETRY_AFTER = "Retry-After"  # RFC 9110: on a 503 the client should retry after this many seconds
# Ours, not the spec's: marks an answer replayed from the idempotency store (as Stripe's API does), so a
# client or a log can tell a retry that was answered from one that ran.
IDEMPOTENCY_REPLAYED = "Idempotency-Replayed"

# A multi-level namespace in a path: its levels joined by the unit separator (the spec's `namespace` parameter).
NAMESPACE_SEPARATOR = "\x1f"

# Requests that change the catalog: the spec puts the Idempotency-Key parameter on every POST and DELETE.
MUTATING_METHODS = frozenset({"POST", "PUT", "DELETE"})

# Access-delegation mechanisms (the header is a comma-separated list); only this one is offered.
VENDED_CREDENTIALS = "vended-credentials"
REMOTE_SIGNING = "remote-signing"

# load-table's `snapshots` query parameter.
SNAPSHOTS_ALL = "all"
SNAPSHOTS_REFS = "refs"

# Clients that send an empty pageToken (the spec's "I can page") without a pageSize get pages this big;
# a larger pageSize is capped to MAX_PAGE_SIZE (the spec makes pageSize an upper bound).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# The client property (pyiceberg and Java's RESTCatalog) for the page size they ask for; /v1/config's defaults
# set it to DEFAULT_PAGE_SIZE.
REST_PAGE_SIZE = "rest-page-size"

# How long a client may retry with one Idempotency-Key (advertised in /v1/config as an ISO-8601 duration).
DEFAULT_IDEMPOTENCY_LIFETIME = timedelta(minutes=30)


def iso_duration(duration: timedelta) -> str:
    """``timedelta(minutes=30)`` → ``PT30M``: the ISO-8601 form the spec uses for ``idempotency-key-lifetime``."""
    total = int(duration.total_seconds())
    if total <= 0 or duration != timedelta(seconds=total):
        raise ValueError(f"idempotency-key lifetime must be a positive whole number of seconds, not {duration}")
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    date = f"{days}D" if days else ""
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"P{date}" + (f"T{time}" if time else "")
