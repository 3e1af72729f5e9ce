"""How Glue turns a job definition and a run request into the script's command line."""

from __future__ import annotations

from collections.abc import Mapping


def merge_arguments(
    default_arguments: Mapping[str, str] | None,
    run_arguments: Mapping[str, str] | None,
    non_overridable: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Glue's precedence: the run's Arguments override DefaultArguments key by key;
    NonOverridableArguments override both."""
    return {**(default_arguments or {}), **(run_arguments or {}), **(non_overridable or {})}


def glue_argv(
    script: str,
    *,
    job_name: str,
    run_id: str,
    default_arguments: Mapping[str, str],
    run_arguments: Mapping[str, str],
) -> list[str]:
    """sys.argv as Glue passes it: its own arguments, then defaults overridden by run arguments."""
    merged = merge_arguments(default_arguments, run_arguments)
    bookmark = merged.pop("--job-bookmark-option", "job-bookmark-disable")
    argv = [script, "--JOB_ID", f"j_{job_name}", "--JOB_RUN_ID", run_id, "--job-bookmark-option", bookmark]
    argv += ["--JOB_NAME", job_name]
    for key, value in merged.items():
        argv += [key, value]
    return argv
