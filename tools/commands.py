"""Every command of ``python -m tools <command> [args]``: the Justfile's recipes call these, one line each.

A command is ``module:function``, imported only when it runs (so ``just run`` never loads boto3 or
Terraform's helpers); the function takes the remaining arguments and returns the exit status.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    target: str  # "package.module:function"
    summary: str

    def load(self) -> Callable[[list[str]], int]:
        module, _, function = self.target.partition(":")
        run: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
        return run


COMMANDS: dict[str, Command] = {
    "run": Command("tools.local.run_job:main", "run one job locally exactly as Glue calls it (no servers)"),
    "demo": Command("tools.local.demo:main", "the three jobs end-to-end on the lakehouse (`demo files`: no servers)"),
    "glue-run": Command("tools.local.glue_run:main", "push, then one job as a Glue job run on the lakehouse"),
    "pipeline": Command("tools.local.pipeline:main", "run a Step Functions pipeline on the lakehouse"),
    "seed": Command("tools.data.samples:seed_command", "upload the sample data to the lakehouse's raw bucket"),
    "gen-data": Command("tools.data.generate:main", "generate larger raw data shaped like the samples"),
    "push": Command("tools.deploy.commands:push", "apply terraform/environments/local to the running lakehouse"),
    "deploy-local": Command("tools.deploy.commands:deploy_local_command", "push, starting the lakehouse if it is down"),
    "tf-validate": Command("tools.deploy.commands:tf_validate", "terraform fmt -check and validate, offline"),
    "tf-plan": Command("tools.deploy.commands:tf_plan", "terraform plan for an environment"),
    "tf-apply": Command("tools.deploy.commands:tf_apply", "apply a saved plan of an AWS environment"),
    "validate": Command("tools.manifest.commands:validate_command", "check the manifests against the scripts"),
    "list-jobs": Command("tools.manifest.commands:list_jobs_command", "list the Glue jobs the manifests declare"),
    "graph": Command("tools.manifest.graph:main", "render the pipelines as Mermaid into jobs/PIPELINES.md"),
    "new-job": Command("tools.scaffold.new_job:main", "scaffold a job: script, test, manifest entry"),
    "many-jobs": Command("tools.scaffold.many_jobs:main", "grow a copy of jobs/ to N jobs (scale tests)"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:{width}}  {command.summary}" for name, command in COMMANDS.items()]
    return "usage: python -m tools <command> [args]  (<command> --help for its arguments)\n\ncommands:\n" + "\n".join(
        lines
    )


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0 if argv else 2
    name, *rest = argv
    if name not in COMMANDS:
        print(f"error: no command {name!r}\n{usage()}", file=sys.stderr)
        return 2
    return COMMANDS[name].load()(rest)
