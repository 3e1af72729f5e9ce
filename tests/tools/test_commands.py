"""`python -m tools` is the one entry point: every recipe of the Justfile that runs a tool calls it with a
command it knows, and every command loads and answers --help under the name the user typed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tools.commands import COMMANDS

JUSTFILE = (REPO_ROOT / "Justfile").read_text()
# Recipe name → the first word after `python -m tools` in its body (a recipe is its line, then indented lines).
RECIPE_RE = re.compile(r"^([a-z][\w-]*)[^\n]*:\n((?:[ \t]+[^\n]*\n)+)", re.MULTILINE)


def _tool_recipes() -> dict[str, str]:
    recipes = {}
    for name, body in RECIPE_RE.findall(JUSTFILE):
        calls = re.findall(r"python -m tools(\S*) (\S+)", body)
        if calls:
            assert len(calls) == 1, f"recipe {name} calls the tools {len(calls)} times: one line each"
            assert calls[0][0] == "", f"recipe {name} runs python -m tools{calls[0][0]}: use `python -m tools`"
            recipes[name] = calls[0][1]
    return recipes


def test_every_tool_recipe_calls_the_entry_point_with_its_own_name() -> None:
    recipes = _tool_recipes()
    assert recipes == {
        "run": "run", "demo": "demo", "push": "push", "seed": "seed", "glue-run": "glue-run",
        "pipeline": "pipeline", "tf-validate": "tf-validate", "tf-plan": "tf-plan", "tf-apply": "tf-apply",
        "deploy-local": "deploy-local", "new-job": "new-job", "graph": "graph", "gen-data": "gen-data",
        "validate": "validate",
    }  # fmt: skip
    assert set(recipes.values()) <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_loads_and_shows_its_help(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools", name, "--help"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    prog = f"just {name}" if name in _tool_recipes() else f"python -m tools {name}"  # what the user typed
    assert done.stdout.startswith(f"usage: {prog}"), done.stdout


def test_the_entry_point_lists_every_command_and_refuses_an_unknown_one() -> None:
    listed = subprocess.run([sys.executable, "-m", "tools", "--help"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.split("commands:\n", 1)[1].splitlines()] == list(COMMANDS)
    unknown = subprocess.run([sys.executable, "-m", "tools", "nope"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: no command 'nope'\nusage: python -m tools <command>")
