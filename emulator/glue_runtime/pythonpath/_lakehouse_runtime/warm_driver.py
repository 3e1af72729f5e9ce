"""A pre-started Glue job process: Python, the JVM and a warmed-up SparkContext, waiting for one run.

Started by the emulator's warm pool (``emulator/glue_runtime/warm_pool.py``) as
``python -m _lakehouse_runtime.warm_driver <marker>`` with the environment of a default run
(the run defaults in ``LAKEHOUSE_GLUE_SPARK_CONF``). It builds the session, runs the warm-up
(:mod:`_lakehouse_runtime.warm_up`, cut short when a run arrives first) so class loading and the
JIT are done, lends the context
(:mod:`_lakehouse_runtime.lending`), prints ``<marker> ready`` on stdout and stderr and reads
exactly one run from stdin (one JSON line: argv, env, cwd). A run whose own modules (its script's
folder, ``--extra-py-files``, ``--additional-python-modules``) would shadow a module this process
has already imported cannot be run faithfully here: the driver says so and exits with
:data:`SHADOWED_EXIT` before the run begins, and the emulator starts that run cold.

The run then happens as ``python <script> <args>`` would do it: the run's environment, working
directory, ``sys.argv`` and ``sys.path`` (the script's folder first, then its PYTHONPATH), the
script executed as ``__main__``; ``SystemExit`` and uncaught exceptions end the process as the
interpreter ends it (exit code, traceback on stderr). ``<marker> begin`` on both streams tells the
emulator where the run's output starts. stdin stays open for the run's lifetime: when the emulator
goes away (EOF), the run's process group ends with it. EOF before a run: the driver just exits.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import select
import signal
import sys
import threading
import traceback
import zipfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from _lakehouse_runtime import lending, session_hook
from _lakehouse_runtime.warm_up import warm_up

SHADOWED_EXIT = 75  # EX_TEMPFAIL: this run needs a cold process
_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


def _say(marker: str, word: str) -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"{marker} {word}\n")
        stream.flush()


def _run_waiting() -> bool:
    """The run's line (or the pool's EOF) is on stdin: the warm-up stops where it is."""
    return bool(select.select([0], [], [], 0)[0])


def _watch_emulator(control: IO[bytes]) -> None:
    """stdin reaches EOF when the emulator that owns this run is gone: end the run with it."""
    control.read()
    os.killpg(os.getpgid(0), signal.SIGKILL)


def _apply(run: dict[str, Any]) -> tuple[str, list[str]]:
    """The run's process state, as ``python <script>`` in its environment would have it; returns the
    script and the path entries this process did not have (the run's own modules come from them)."""
    argv = [str(a) for a in run["argv"]]
    script = str(Path(run["cwd"], argv[0]).resolve()) if not os.path.isabs(argv[0]) else argv[0]
    pool_path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in run["env"].items()})
    os.chdir(run["cwd"])
    run_path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    pool_entries = {os.path.abspath(p) for p in pool_path}
    rest = [p for p in sys.path[1:] if os.path.abspath(p) not in pool_entries]
    own = [os.path.dirname(script), *(os.path.abspath(p) for p in run_path)]
    sys.path[:] = [*own, *rest]
    importlib.invalidate_caches()
    sys.argv = [script, *argv[1:]]
    session_hook.switch_run(os.environ[session_hook.CONF_ENV])
    lending.begin_run(os.environ.get("PYTHONPATH", ""))
    return script, [p for p in own if p not in pool_entries]


def _top_level_names(entry: str) -> set[str]:
    """The importable top-level names a path entry (folder, .zip or .whl) provides."""
    if os.path.isdir(entry):
        names = set()
        for name in os.listdir(entry):
            if os.path.isdir(os.path.join(entry, name)) and name.isidentifier():
                names.add(name)
            elif name.endswith(_MODULE_SUFFIXES):
                names.add(name.partition(".")[0])
        return names
    if zipfile.is_zipfile(entry):
        with zipfile.ZipFile(entry) as archive:
            tops = {n.split("/", 1)[0] for n in archive.namelist()}
        return {t.partition(".")[0] for t in tops if "/" in t or t.endswith(_MODULE_SUFFIXES) or t.isidentifier()}
    return set()


def _shadowed(entries: list[str]) -> list[str]:
    """Modules this process has imported that the run's own path entries would provide instead."""
    loaded = {name.partition(".")[0] for name in sys.modules}
    provided = set().union(*(_top_level_names(e) for e in entries)) if entries else set()
    return sorted(loaded & provided)


def _local_working_directory(context: Any, cwd: str) -> None:
    """Relative paths Spark reads resolve against the run's folder (the JVM started elsewhere)."""
    jvm = context._jvm
    local = jvm.org.apache.hadoop.fs.FileSystem.getLocal(context._jsc.hadoopConfiguration())
    local.setWorkingDirectory(jvm.org.apache.hadoop.fs.Path(cwd))


def _script_traceback(script: str, tb: TracebackType | None) -> TracebackType | None:
    """The traceback from the script's first frame on, as the interpreter shows it for ``python script``."""
    current = tb
    while current is not None and current.tb_frame.f_code.co_filename != script:
        current = current.tb_next
    return current or tb


def _run_script(script: str) -> None:
    try:
        runpy.run_path(script, run_name="__main__")
    except (SystemExit, KeyboardInterrupt):
        raise  # the interpreter turns it into the exit code (and prints a non-int code), as for a cold run
    except BaseException as e:  # noqa: BLE001 - exactly what the interpreter does with an uncaught exception
        shown = e.with_traceback(_script_traceback(script, e.__traceback__))  # the hook prints the exception's own
        sys.excepthook(type(shown), shown, shown.__traceback__)
        sys.stderr.flush()
        raise SystemExit(1) from None


def main(argv: list[str]) -> None:
    marker = argv[1]
    defaults = session_hook.RunDefaults(os.environ[session_hook.CONF_ENV])
    spark = warm_up(defaults.rest_uri, defaults.warehouse, _run_waiting)
    context = spark.sparkContext
    lending.lend(context, defaults.spark_defaults)
    del spark
    _say(marker, "ready")
    control = os.fdopen(os.dup(0), "rb", buffering=0)
    line = control.readline()
    if not line:
        return  # the pool closed: no run
    run = json.loads(line)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the script's stdin is nothing, as a cold run's under the emulator
    os.close(devnull)
    threading.Thread(target=_watch_emulator, args=(control,), name="lakehouse-emulator-watch", daemon=True).start()
    script, own_entries = _apply(run)
    if shadowed := _shadowed(own_entries):
        sys.stderr.write(f"[lakehouse] the run's own {', '.join(shadowed)} would shadow loaded modules\n")
        sys.exit(SHADOWED_EXIT)
    _local_working_directory(context, run["cwd"])
    del context
    _say(marker, "begin")
    _run_script(script)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception:  # noqa: BLE001 - a warm-up failure: the pool shows this and starts runs cold
        traceback.print_exc()
        sys.exit(70)
