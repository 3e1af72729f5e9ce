"""The domains' raw records as ``just gen-data`` writes them, shaped like ``jobs/<domain>/sample_data/``.

sales: ``orders`` CSV lines (and the malformed kinds the job quarantines); customers: ``changes``
JSON lines (CDC records with ``op`` I/U/D). A change to a domain's raw schema is made here and in
its sample data.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

ORDERS_HEADER = [
    "order_id",
    "customer_id",
    "product_id",
    "quantity",
    "unit_price",
    "currency",
    "status",
    "order_ts",
    "updated_at",
]
STATUSES = ["PLACED", "PLACED", "PLACED", "SHIPPED", "CANCELLED", "RETURNED"]
CURRENCIES = ["EUR", "EUR", "EUR", "USD", "GBP"]
COUNTRIES = ["gb", "us", "nl", "fi", "de", "fr", "es"]
SEGMENTS = ["retail", "smb", "enterprise"]


def order_row(rng: random.Random, number: int, day: dt.date, customers: int) -> list[str]:
    ts = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(86_400))
    return [
        f"O-{number:09d}",
        str(rng.randrange(1, customers + 1)),
        f"P-{rng.randrange(100, 999)}",
        str(rng.randrange(1, 6)),
        f"{rng.uniform(1, 500):.2f}",
        rng.choice(CURRENCIES),
        rng.choice(STATUSES),
        ts.isoformat(),
        ts.isoformat(),
    ]


def malformed_order_line(rng: random.Random, row: list[str]) -> str:
    """One way an upstream system breaks an order line: a bad number, a missing key, too few fields."""
    kind = rng.randrange(3)
    if kind == 0:
        row = [*row[:3], "many", *row[4:]]
    elif kind == 1:
        row = ["", *row[1:]]
    else:
        row = row[:4]
    return ",".join(row)


def customer_change(rng: random.Random, customer_id: int, op: str, changed_at: dt.datetime) -> dict[str, Any]:
    """One customers CDC record (``op``: I insert, U update, D delete)."""
    return {
        "op": op,
        "customer_id": customer_id,
        "name": f"Customer {customer_id}",
        "email": f"c{customer_id}.{rng.randrange(99)}@example.com",
        "country": rng.choice(COUNTRIES),
        "segment": rng.choice(SEGMENTS),
        "changed_at": changed_at.isoformat(),
    }
