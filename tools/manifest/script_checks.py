"""Check the manifests against the job scripts on disk (declared tables, scaffold stubs, unlisted scripts)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.manifest.loading import load_into
from tools.manifest.model import MANIFEST_NAME, SHARED_DIR, Manifests
from tools.repository import JOBS_ROOT, relative


def declared_tables(script: Path) -> dict[str, tuple[str, ...]]:
    """``TABLES_READ`` / ``TABLES_WRITTEN`` of a job script, read from its source (never imported)."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    constants: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        constants[target.id] = ast.literal_eval(_substitute(node.value, constants))
                    except ValueError:
                        continue
    return {k: tuple(constants[k]) for k in ("TABLES_READ", "TABLES_WRITTEN") if k in constants}


def is_scaffold_stub(script: Path) -> bool:
    """True while the script's ``transform`` is what ``just new-job`` wrote: only ``raise NotImplementedError``."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "transform":
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
                raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
                return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


def _substitute(node: ast.expr, constants: Mapping[str, Any]) -> ast.expr:
    """Replace names of earlier module constants by their values so literal_eval can read tuples of them."""

    class Inline(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.AST:  # ast's visitor naming
            return ast.Constant(constants[name.id]) if name.id in constants else name

    inlined: ast.expr = Inline().visit(ast.parse(ast.unparse(node), mode="eval").body)
    return ast.fix_missing_locations(inlined)


def _script_checks(manifests: Manifests, root: Path, problems: list[str]) -> None:
    by_script = {spec.script_path: spec for spec in manifests.jobs.values()}
    for script in sorted(root.glob("*/job_*.py")):
        if script not in by_script and script.parent.name != SHARED_DIR:
            problems.append(f"{relative(script)}: no entry in {relative(script.parent / MANIFEST_NAME)}")
    for spec in manifests.jobs.values():
        if not spec.script_path.is_file() or spec.script_dir == SHARED_DIR:
            continue  # a shared script takes its tables from its arguments (the maintenance policy)
        where = f"{relative(spec.script_path.parent / MANIFEST_NAME)}: jobs.{spec.name}"
        if is_scaffold_stub(spec.script_path):
            problems.append(
                f"{where}: transform() in {spec.script} is still the `just new-job` stub (it raises "
                "NotImplementedError): write it and its test before the job is deployed"
            )
        declared = declared_tables(spec.script_path)
        for key, listed in (("TABLES_WRITTEN", spec.writes_tables), ("TABLES_READ", spec.reads_tables)):
            if key not in declared:
                problems.append(f"{where}: {spec.script} does not declare {key}, so its tables cannot be checked")
            elif set(declared[key]) != set(listed):
                section = "writes" if key == "TABLES_WRITTEN" else "reads"
                problems.append(
                    f"{where}: {section}.tables {sorted(listed)} does not match {key} {sorted(declared[key])} "
                    f"in {spec.script}"
                )


def validate(root: Path = JOBS_ROOT) -> list[str]:
    """Every problem in every manifest, and between the manifests and the scripts on disk."""
    problems: list[str] = []
    manifests = load_into(root, problems)
    _script_checks(manifests, root, problems)
    return problems
