"""`just graph`: jobs/PIPELINES.md is current and shows the stages in order."""

from __future__ import annotations

from tools.manifest import load_manifests
from tools.manifest.graph import GRAPH_FILE, mermaid, render_graph


def test_pipeline_graph_is_current() -> None:
    assert GRAPH_FILE.read_text() == render_graph(load_manifests()), "jobs/PIPELINES.md is stale: run `just graph`"


def test_graph_shows_stages_in_order() -> None:
    text = mermaid(load_manifests().pipelines["sales_daily"])
    assert "customers_customer_delta --> sales_daily_sales" in text
    assert "sales_daily_sales --> legacy_refactor_step01" in text
