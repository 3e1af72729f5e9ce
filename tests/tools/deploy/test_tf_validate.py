"""``just tf-validate`` checks its targets side by side and names every invalid one, not only the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.deploy import terraform as tf

pytestmark = pytest.mark.terraform

VALID = 'variable "name" {\n  type = string\n}\n\noutput "name" {\n  value = var.name\n}\n'


def _undeclared(variable: str) -> str:
    """Formatted (``fmt -check`` passes) but referring to a variable nobody declared."""
    return f'output "name" {{\n  value = var.{variable}\n}}\n'


def test_every_invalid_target_is_named_and_the_valid_ones_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "terraform"
    sources = {"a_valid": VALID, "b_invalid": _undeclared("missing_b"),
               "c_invalid": _undeclared("missing_c"), "d_valid": VALID}  # fmt: skip
    for name, text in sources.items():
        (root / name).mkdir(parents=True)
        (root / name / "main.tf").write_text(text)
    monkeypatch.setenv("LAKEHOUSE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(tf, "TERRAFORM_ROOT", root)
    monkeypatch.setattr(tf, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(tf, "validate_targets", lambda: [root / name for name in sources])
    said: list[str] = []
    with pytest.raises(tf.TerraformError) as raised:
        tf.validate(say=said.append)
    assert said == ["valid: terraform/a_valid", "valid: terraform/d_valid"]  # in the targets' order
    message = str(raised.value)
    assert "failed in terraform/b_invalid" in message
    assert "var.missing_b" in message
    assert "failed in terraform/c_invalid" in message
    assert "var.missing_c" in message
