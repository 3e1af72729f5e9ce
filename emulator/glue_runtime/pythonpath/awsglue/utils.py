"""``getResolvedOptions``: job parameters from ``sys.argv`` as AWS Glue documents them.

Glue starts a script as ``script.py --JOB_ID j_… --JOB_RUN_ID jr_… --job-bookmark-option … --TempDir s3://…
--JOB_NAME name --your_arg value …``. ``getResolvedOptions(sys.argv, ["JOB_NAME", "your_arg"])`` returns
``{"JOB_NAME": "name", "your_arg": "value"}``:

* each requested name must be present as ``--name value`` or ``--name=value``; a missing one is an
  argparse error (message on stderr, ``SystemExit(2)``), as on Glue;
* the last occurrence wins; arguments that were not requested are ignored;
* names use underscores, not hyphens (AWS docs, "Accessing parameters using getResolvedOptions"); a
  requested name that is not a valid argument name raises :class:`ReservedArgumentError`;
* Glue's own arguments (``--job-bookmark-option``, ``--continuation-option``, ``--encryption-type``, …)
  are recognised and their values checked (``--job-bookmark-option job-bookmark-enable|disable|pause``);
  asking for one of them returns its value like any other argument.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

__all__ = ["BOOKMARK_OPTIONS", "GLUE_ARGUMENT_CHOICES", "ReservedArgumentError", "getResolvedOptions"]

BOOKMARK_OPTIONS = ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause")
# Glue's own arguments whose values Glue restricts (AWS docs, "Using job parameters in AWS Glue jobs").
GLUE_ARGUMENT_CHOICES: dict[str, tuple[str, ...]] = {
    "job-bookmark-option": BOOKMARK_OPTIONS,
    "continuation-option": ("continuation-enabled", "continuation-readonly", "continuation-ignore"),
    "encryption-type": ("sse-s3",),
}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ReservedArgumentError(RuntimeError):
    """A requested option name cannot be a Glue job parameter."""


def getResolvedOptions(args: Sequence[str], options: Sequence[str]) -> dict[str, str]:  # noqa: N802 - Glue's name
    """Return the values of ``options`` (names without ``--``) found in ``args`` (``sys.argv``)."""
    names = list(dict.fromkeys(options))
    for name in names:
        if not (_NAME_RE.match(name) or name in GLUE_ARGUMENT_CHOICES):
            raise ReservedArgumentError(
                f"{name!r} is not a valid Glue job parameter name: use letters, digits and underscores "
                "(the script reads --name as args['name'])"
            )
    parser = argparse.ArgumentParser(prog=str(args[0]) if args else "glue-job", add_help=False, allow_abbrev=False)
    for flag, choices in GLUE_ARGUMENT_CHOICES.items():
        parser.add_argument(f"--{flag}", dest=flag, choices=choices, required=flag in names)
    for name in names:
        if name not in GLUE_ARGUMENT_CHOICES:
            parser.add_argument(f"--{name}", dest=name, required=True)
    parsed, _unknown = parser.parse_known_args(list(args[1:]))
    return {name: str(getattr(parsed, name)) for name in names}
