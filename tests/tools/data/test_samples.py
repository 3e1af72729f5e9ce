"""The sample data lands in a raw zone in the layout the jobs read."""

from __future__ import annotations

from pathlib import Path

from tools.data.samples import seed


def test_seed_mirrors_sample_data_into_the_raw_zone(tmp_path: Path) -> None:
    written = seed(str(tmp_path))
    assert (tmp_path / "sales/orders/ingest_date=2026-11-26/orders.csv").is_file()
    assert (tmp_path / "customers/changes/ingest_date=2026-11-25/customers.jsonl").is_file()
    assert len(written) == 4
