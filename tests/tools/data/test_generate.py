"""`just gen-data`: deterministic for a seed, with the anomalies the jobs must quarantine or deduplicate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tools.data.generate import generate


def test_generated_data_is_deterministic_and_has_anomalies(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", rows=2000, days=2, start=dt.date(2026, 11, 25), seed=3)
    second = generate(tmp_path / "b", rows=2000, days=2, start=dt.date(2026, 11, 25), seed=3)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    lines = first[2].read_text().splitlines()[1:]  # day two's orders
    assert sum(1 for line in lines if line.count(",") != 8) > 0  # wrong field counts
    assert len(lines) != len(set(lines))  # duplicates
    assert len(lines) > 2000
