"""What the sample data must produce after the sales_daily pipeline ran for 2026-11-25, then -26.

Shared by every end-to-end test (job processes, the embedded stack, Terraform-deployed
pipelines, the compose stack), whatever reads the tables (Spark or pyiceberg): each passes
a function that returns a table's rows as dicts.

Tables are compared as multisets of whole rows: a MERGE or SCD2 step that writes a row twice,
or loses one, fails with the rows that are extra or missing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

RowsOf = Callable[[str], list[dict[str, Any]]]

D25, D26 = dt.date(2026, 11, 25), dt.date(2026, 11, 26)
T25 = dt.datetime(2026, 11, 25, 6, 0)

DAILY_SALES = [
    (D25, "EUR", 6, 0, 16, 5, Decimal("454.73")),
    (D25, "GBP", 1, 0, 1, 1, Decimal("249.00")),
    (D25, "USD", 0, 1, 0, 0, Decimal("0.00")),
    (D26, "EUR", 4, 0, 9, 4, Decimal("1307.98")),
    (D26, "GBP", 1, 0, 1, 1, Decimal("249.00")),
]
ORDERS = [  # order_id, status, quantity, amount: duplicates merged, late updates applied, stale ones ignored
    ("O-1001", "PLACED", 2, Decimal("39.98")),
    ("O-1002", "SHIPPED", 1, Decimal("249.00")),
    ("O-1003", "PLACED", 3, Decimal("28.50")),
    ("O-1004", "CANCELLED", 1, Decimal("19.99")),
    ("O-1005", "PLACED", 5, Decimal("21.25")),
    ("O-1006", "SHIPPED", 1, Decimal("249.00")),
    ("O-1011", "PLACED", 4, Decimal("17.00")),
    ("O-1012", "PLACED", 1, Decimal("99.00")),
    ("O-1013", "PLACED", 2, Decimal("39.98")),
    ("O-1014", "PLACED", 1, Decimal("1200.00")),
    ("O-1015", "PLACED", 4, Decimal("38.00")),
    ("O-1016", "PLACED", 1, Decimal("249.00")),
    ("O-1020", "RETURNED", 2, Decimal("30.00")),
]
CUSTOMER_DIM = [  # customer_id, email, country, segment, valid_from, valid_to, is_current
    (1, "ada@example.com", "GB", "retail", T25, None, True),
    (2, "grace@example.com", "US", "enterprise", T25, dt.datetime(2026, 11, 26, 5, 10), False),
    (2, "grace.hopper@example.com", "US", "enterprise", dt.datetime(2026, 11, 26, 5, 10), None, True),
    (3, "alan.turing@example.com", "GB", "retail", T25, dt.datetime(2026, 11, 26, 5, 20), False),
    (
        3,
        "alan.turing@example.com",
        "US",
        "retail",
        dt.datetime(2026, 11, 26, 5, 20),
        dt.datetime(2026, 11, 26, 9),
        False,
    ),
    (3, "alan.turing@example.com", "US", "enterprise", dt.datetime(2026, 11, 26, 9), None, True),
    (4, "kj@example.com", "US", "retail", T25, None, True),
    (5, "ewd@example.com", "NL", "smb", T25, dt.datetime(2026, 11, 26, 5, 30), False),
    (6, "mh@example.com", "US", "enterprise", T25, None, True),
    (7, "linus@example.com", "FI", "smb", T25, dt.datetime(2026, 11, 25, 18), False),
    (7, "linus@example.org", "US", "smb", dt.datetime(2026, 11, 25, 18), None, True),
    (8, "liskov@example.com", "US", "retail", T25, None, True),
    (9, "fran@example.com", "US", "enterprise", dt.datetime(2026, 11, 26, 6), None, True),
]
CUSTOMER_VALUE = [  # as_of_date, customer_id, orders_count, total_amount, value_band: one snapshot per day
    (D25, 1, 2, Decimal("61.23"), "LOW"),
    (D25, 2, 1, Decimal("249.00"), "MEDIUM"),
    (D25, 3, 1, Decimal("28.50"), "LOW"),
    (D25, 4, 1, Decimal("19.99"), "LOW"),  # O-1004 is cancelled only by the next day's update
    (D25, 5, 0, Decimal("0.00"), "LOW"),
    (D25, 6, 2, Decimal("266.00"), "MEDIUM"),
    (D25, 7, 1, Decimal("99.00"), "LOW"),
    (D25, 8, 0, Decimal("0.00"), "LOW"),
    (D26, 1, 2, Decimal("61.23"), "LOW"),
    (D26, 2, 2, Decimal("288.98"), "MEDIUM"),
    (D26, 3, 2, Decimal("66.50"), "LOW"),
    (D26, 4, 0, Decimal("0.00"), "LOW"),
    (D26, 6, 3, Decimal("515.00"), "MEDIUM"),
    (D26, 7, 1, Decimal("99.00"), "LOW"),
    (D26, 8, 1, Decimal("30.00"), "LOW"),
    (D26, 9, 1, Decimal("1200.00"), "HIGH"),
]
QUARANTINED = [  # table, run_key, reason: every rejected record of each run, once
    ("sales.quarantine", "2026-11-25", "column order_id is required"),
    ("sales.quarantine", "2026-11-25", "column quantity: 'two' is not a valid int"),
    ("sales.quarantine", "2026-11-25", "malformed record: wrong number of fields"),
    ("sales.quarantine", "2026-11-25", "rule quantity_positive failed"),
    ("sales.quarantine", "2026-11-25", "rule status_known failed"),
    ("sales.quarantine", "2026-11-26", "column order_ts: '26/11/2026 12:00' is not a valid timestamp"),
    ("sales.quarantine", "2026-11-26", "malformed record: wrong number of fields"),
    ("sales.quarantine", "2026-11-26", "rule currency_known failed"),
    ("customers.quarantine", "2026-11-25", "column customer_id: 'x9' is not a valid bigint"),
    ("customers.quarantine", "2026-11-26", "malformed record: not a JSON object"),
    ("customers.quarantine", "2026-11-26", "rule email_valid failed"),
    ("customers.quarantine", "2026-11-26", "rule op_known failed"),
]


def _naive_utc(value: Any) -> Any:
    """Spark's timestamps are Iceberg timestamptz: pyiceberg returns them aware, Spark (UTC session) naive."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _project(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> Counter[tuple[Any, ...]]:
    names = list(columns)
    return Counter(tuple(_naive_utc(row[c]) for c in names) for row in rows)


def assert_same_rows(table: str, actual: Counter[tuple[Any, ...]], expected: Iterable[tuple[Any, ...]]) -> None:
    """``actual`` holds exactly the ``expected`` rows, each as many times as listed (no duplicate, none missing)."""
    wanted = Counter(expected)
    if actual != wanted:
        extra, missing = actual - wanted, wanted - actual
        raise AssertionError(
            f"{table}: {sum(extra.values())} row(s) too many, {sum(missing.values())} missing\n"
            + "".join(f"  extra x{n}: {row}\n" for row, n in sorted(extra.items(), key=repr))
            + "".join(f"  missing x{n}: {row}\n" for row, n in sorted(missing.items(), key=repr))
        )


def assert_sample_results(rows_of: RowsOf) -> None:
    """Every table the pipeline writes holds exactly what the sample data must produce."""
    daily = ["order_date", "currency", "orders", "cancelled_orders", "items", "customers", "gross_amount"]
    assert_same_rows("sales.daily_sales", _project(rows_of("sales.daily_sales"), daily), DAILY_SALES)
    orders = ["order_id", "status", "quantity", "amount"]
    assert_same_rows("sales.orders", _project(rows_of("sales.orders"), orders), ORDERS)
    dim = ["customer_id", "email", "country", "segment", "valid_from", "valid_to", "is_current"]
    assert_same_rows("customers.customer_dim", _project(rows_of("customers.customer_dim"), dim), CUSTOMER_DIM)
    value = ["as_of_date", "customer_id", "orders_count", "total_amount", "value_band"]
    table = "legacy_refactor.customer_value"
    assert_same_rows(table, _project(rows_of(table), value), CUSTOMER_VALUE)
    for table in sorted({t for t, _, _ in QUARANTINED}):
        quarantined = _project(rows_of(table), ["run_key", "reason"])
        assert_same_rows(table, quarantined, [(key, reason) for t, key, reason in QUARANTINED if t == table])
