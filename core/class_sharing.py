"""Class-data sharing (AppCDS) for the local Spark driver: one archive per machine and classpath.

A cold Spark/Iceberg/S3A driver loads about 15,000 classes from some 250 jars and verifies each
one before the first query runs. Java 17 can record them in a *dynamic archive* at the end of a
run (``-XX:ArchiveClassesAtExit``) and map that archive, already parsed and verified, into every
later JVM (``-XX:SharedArchiveFile``). The archive is only valid for the JDK and the classpath it
was recorded with, so it is keyed by a :class:`Fingerprint` of both (paths, sizes, mtimes).

Lifecycle, all in ``<cache>/domain-project/class-sharing`` (``$XDG_CACHE_HOME`` honoured):

- no archive yet: the first local session that gets the slot's lock records one at the end of its
  run (:class:`Recording`; the run's process waits for the JVM to write it, once per machine);
  ``python -m core.class_sharing`` records one on purpose (bootstrap does).
- recorded: the JVM's output is checked with ``java -Xshare:on`` before it is moved into place,
  with a sidecar ``.json`` (size and mtime), so a half-written or truncated file is never mapped
  (a truncated archive makes the JVM crash with SIGBUS instead of falling back).
- stale (another JDK or jar set for the same Spark install) or damaged: removed with a log line
  saying why; the run records a new one.
- ``-Xshare:auto`` everywhere: if the JVM still refuses an archive it starts without it.

On AWS Glue none of this runs: ``core.spark_session`` returns Glue's own session first.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from core.config import Config
from core.exceptions import ClassSharingError

_log = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".jsa"
_RECORDING_SUFFIX = ".jsa.recording"
_FAILED_SUFFIX = ".failed"
# Environment a spark-submit launcher turns into classpath entries (besides SPARK_HOME/jars).
_CLASSPATH_ENV = ("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR", "SPARK_DIST_CLASSPATH", "SPARK_PREPEND_CLASSES")
# A dump of ~15k classes takes 5-30 s on two busy cores; past this the run stops waiting.
_DUMP_TIMEOUT_S = 300.0
_VALIDATE_TIMEOUT_S = 60.0
# Compressed oops (and so the archive's layout) end at a 32 GiB heap.
_COMPRESSED_OOPS_LIMIT = 32 << 30
_MEMORY_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def default_archive_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "domain-project" / "class-sharing"


def java_executable(environ: Mapping[str, str] | None = None) -> Path:
    """The ``java`` spark-submit will run: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    environ = os.environ if environ is None else environ
    if java_home := environ.get("JAVA_HOME"):
        candidate = Path(java_home) / "bin" / "java"
    else:
        found = shutil.which("java", path=environ.get("PATH"))
        if found is None:
            raise ClassSharingError("no java on PATH and JAVA_HOME is unset: cannot key a class-sharing archive")
        candidate = Path(found)
    return candidate.resolve()


def spark_home() -> Path:
    """This Python's Spark installation, as pyspark's launcher finds it: $SPARK_HOME, else the package."""
    import pyspark

    return Path(os.environ.get("SPARK_HOME") or Path(pyspark.__file__).parent).resolve()


@functools.cache
def spark_home_of(python: Path) -> Path:
    """Another Python's Spark installation (a Glue run's runtime), asked once per process."""
    code = "import os, pyspark; print(os.environ.get('SPARK_HOME') or os.path.dirname(pyspark.__file__))"
    try:
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ClassSharingError(f"cannot ask {python} where its Spark is: {e}") from e
    if done.returncode != 0 or not done.stdout.strip():
        raise ClassSharingError(f"{python} has no pyspark: {done.stderr.strip()[-300:]}")
    return Path(done.stdout.strip()).resolve()


def _compressed_oops(driver_memory: str) -> bool:
    match = re.fullmatch(r"(\d+)([kmgt]?)", driver_memory.strip().lower())
    if match is None:
        return True  # the JVM's default heap on these machines is far below 32 GiB
    return int(match[1]) * _MEMORY_UNITS[match[2]] < _COMPRESSED_OOPS_LIMIT


def _file_stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{stat.st_size} {stat.st_mtime_ns}"


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """What a dynamic archive is valid for: one JDK, one Spark install, one set of jars.

    ``slot`` names the installation (JDK path + Spark home): a new fingerprint in the same slot
    replaces the old archive; other slots (another venv, the Glue runtime's) are kept.
    """

    slot: str
    parts: Mapping[str, str]

    @property
    def key(self) -> str:
        digest = hashlib.sha256(json.dumps(dict(self.parts), sort_keys=True).encode())
        return digest.hexdigest()[:16]

    @property
    def name(self) -> str:
        return f"{self.slot}-{self.key}"

    def differences(self, other: Mapping[str, str]) -> list[str]:
        """What changed from ``other`` (an older fingerprint's parts), for the log line."""
        changed = []
        for part in sorted(set(self.parts) | set(other)):
            if part not in other:
                changed.append(f"{part} added")
            elif part not in self.parts:
                changed.append(f"{part} removed")
            elif self.parts[part] != other[part]:
                changed.append(f"{part} changed")
        return changed


def fingerprint(
    *,
    java: Path,
    spark_home: Path,
    jars: Sequence[Path] = (),
    driver_memory: str = "2g",
    extra_classpath: str = "",
    environ: Mapping[str, str] | None = None,
) -> Fingerprint:
    """Stat (never hash) everything the driver JVM's classes come from: a few ms for ~260 files."""
    environ = os.environ if environ is None else environ
    java_home = java.parent.parent
    parts = {
        "java": str(java),
        "java:modules": _file_stamp(java_home / "lib" / "modules"),
        "java:libjvm": _file_stamp(java_home / "lib" / "server" / "libjvm.so"),
        "compressed_oops": str(_compressed_oops(driver_memory)),
        "spark_home": str(spark_home),
        "extra_classpath": extra_classpath,
    }
    parts |= {f"env:{name}": environ[name] for name in _CLASSPATH_ENV if environ.get(name)}
    jars_dir = spark_home / "jars"
    if jars_dir.is_dir():
        parts |= {f"spark:{jar.name}": _file_stamp(jar) for jar in sorted(jars_dir.glob("*.jar"))}
    parts |= {f"jar:{jar.resolve()}": _file_stamp(jar) for jar in jars}
    slot = hashlib.sha256(f"{java}\0{spark_home}".encode()).hexdigest()[:12]
    return Fingerprint(slot=slot, parts=parts)


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one driver JVM gets: options, and the recording to finish if this run records."""

    java_options: tuple[str, ...] = ()
    recording: Recording | None = None
    archive: Path | None = None

    def options_string(self) -> str:
        return " ".join(self.java_options)


def _using(archive: Path) -> Plan:
    return Plan(java_options=(f"-XX:SharedArchiveFile={archive}", "-Xshare:auto"), archive=archive)


class Recording:
    """This process holds the slot's lock and its JVM writes the archive at exit."""

    def __init__(self, store: ArchiveStore, fp: Fingerprint, lock: IO[str]) -> None:
        self.store = store
        self.fingerprint = fp
        self._lock = lock
        self.output = store.directory / (fp.name + _RECORDING_SUFFIX)
        self.jvm_log = store.directory / (fp.name + ".dump.log")

    def java_options(self) -> tuple[str, ...]:
        # The dump's warnings (thousands of "Skipping ...: Not linked") go to a file, not the job's stdout.
        return (
            f"-XX:ArchiveClassesAtExit={self.output}",
            "-Xlog:cds*=off",
            f"-Xlog:cds*=warning:file={self.jvm_log}",
        )

    def finish(self, jvm: subprocess.Popen[bytes], classpath: str, *, timeout: float = _DUMP_TIMEOUT_S) -> Path | None:
        """Let the driver JVM exit (it dumps on the way out), then check and install its archive."""
        exit_started = time.monotonic()
        try:
            if jvm.stdin is not None:
                jvm.stdin.close()  # PythonGatewayServer exits on EOF: shutdown hooks, then the dump
            try:
                jvm.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _log.warning(
                    "class sharing: the driver JVM did not exit within %.0f s; not waiting for its archive "
                    "(the next run records one)",
                    timeout,
                )
                return None
            return self.store.install(self, classpath, dump_s=time.monotonic() - exit_started)
        finally:
            self.release()

    def release(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


class ArchiveStore:
    """The archives of one machine, in one directory shared by every process."""

    def __init__(self, directory: Path | None = None, *, java: Path | None = None) -> None:
        self.directory = directory or default_archive_dir()
        self._java = java

    @property
    def java(self) -> Path:
        return self._java or java_executable()

    def _archive(self, fp: Fingerprint) -> Path:
        return self.directory / (fp.name + ARCHIVE_SUFFIX)

    def _meta(self, archive: Path) -> Path:
        return archive.with_suffix(".json")

    def ready(self, fp: Fingerprint) -> Path | None:
        """The archive for ``fp`` if it is installed and whole (stale and damaged ones are removed)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._discard_stale(fp)
        archive = self._archive(fp)
        return archive if archive.is_file() and self._whole(archive, fp) else None

    def plan(self, fp: Fingerprint, *, may_record: bool) -> Plan:
        """Use the slot's archive if it is whole; else record one if allowed and no one else is."""
        if (archive := self.ready(fp)) is not None:
            return _using(archive)
        failed = self.directory / (fp.name + _FAILED_SUFFIX)
        if failed.is_file():
            _log.info(
                "class sharing off for this classpath: %s (delete %s to retry)", failed.read_text().strip(), failed
            )
            return Plan()
        if not may_record:
            return Plan()
        lock = self._lock_file(fp)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            _log.info("class sharing: another process is recording this classpath's archive; starting without")
            return Plan()
        if (archive := self.ready(fp)) is not None:  # installed between our first look and the lock
            lock.close()
            return _using(archive)
        for leftover in [
            *self.directory.glob(f"{fp.slot}-*{_RECORDING_SUFFIX}"),
            *self.directory.glob(f"{fp.slot}-*.dump.log"),
        ]:
            leftover.unlink(missing_ok=True)  # a recording that died with its process (we hold the lock now)
        recording = Recording(self, fp, lock)
        _log.info(
            "class sharing: no archive for this classpath yet; this run records one when it ends "
            "(once per machine; later driver JVMs start faster) into %s",
            self.directory,
        )
        return Plan(java_options=recording.java_options(), recording=recording)

    def _lock_file(self, fp: Fingerprint) -> IO[str]:
        return (self.directory / f"{fp.slot}.lock").open("w")

    def wait_for_recording(self, fp: Fingerprint) -> None:
        """Block until no process records an archive for ``fp``'s slot."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock_file(fp) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)

    def _whole(self, archive: Path, fp: Fingerprint) -> bool:
        """The archive is exactly what was checked and installed (a truncated one crashes the JVM)."""
        meta_path = self._meta(archive)
        try:
            meta = json.loads(meta_path.read_text())
            stat = archive.stat()
            whole = bool(
                meta["key"] == fp.key and meta["size"] == stat.st_size and meta["mtime_ns"] == stat.st_mtime_ns
            )
        except (OSError, ValueError, KeyError, TypeError) as e:
            whole, reason = False, f"its record {meta_path.name} is unreadable ({e})"
        else:
            reason = "it changed on disk since it was checked"
        if not whole:
            _log.warning("class sharing: removing the archive %s: %s; this run records a new one", archive, reason)
            self._remove(archive)
        return whole

    def _discard_stale(self, fp: Fingerprint) -> None:
        """Other archives of the same slot were recorded for another JDK or jar set."""
        for archive in sorted(self.directory.glob(f"{fp.slot}-*{ARCHIVE_SUFFIX}")):
            if archive.name == fp.name + ARCHIVE_SUFFIX:
                continue
            try:
                older = json.loads(self._meta(archive).read_text()).get("fingerprint", {})
            except (OSError, ValueError):
                older = {}
            changed = fp.differences(older) if older else ["its record is missing"]
            _log.warning(
                "class sharing: the archive %s was recorded for another JDK or classpath (%s); removing it, "
                "this run records a new one",
                archive.name,
                ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""),
            )
            self._remove(archive)
        for leftover in self.directory.glob(f"{fp.slot}-*{_FAILED_SUFFIX}"):
            if leftover.name != fp.name + _FAILED_SUFFIX:
                leftover.unlink(missing_ok=True)

    def _remove(self, archive: Path) -> None:
        # Unlinking is safe while other JVMs map the file: their mapping stays valid.
        archive.unlink(missing_ok=True)
        self._meta(archive).unlink(missing_ok=True)

    def validate(self, archive: Path, classpath: str) -> None:
        """``java -Xshare:on`` refuses to start unless it can map ``archive`` for ``classpath``."""
        # A damaged archive can crash this JVM: its crash report goes beside the archive, not into the cwd.
        crash_report = f"-XX:ErrorFile={archive.parent / 'hs_err_validate_%p.log'}"
        command = [str(self.java), f"-XX:SharedArchiveFile={archive}", "-Xshare:on", crash_report, "-cp", classpath,
                   "-version"]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_VALIDATE_TIMEOUT_S, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ClassSharingError(f"cannot check the archive {archive} with {self.java}: {e}") from e
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise ClassSharingError(f"the JVM refuses the archive {archive}: {tail}")

    def install(self, recording: Recording, classpath: str, *, dump_s: float) -> Path | None:
        """Check the JVM's output and move it into place; a failure turns sharing off for this key."""
        fp, output = recording.fingerprint, recording.output
        archive = self._archive(fp)
        try:
            if not output.is_file() or output.stat().st_size == 0:
                raise ClassSharingError(f"the JVM wrote no archive (its log: {recording.jvm_log})")
            self.validate(output, classpath)
        except ClassSharingError as e:
            output.unlink(missing_ok=True)
            (self.directory / (fp.name + _FAILED_SUFFIX)).write_text(f"{e}\n")
            _log.warning("class sharing: recording failed, later runs start without an archive: %s", e)
            return None
        output.replace(archive)
        stat = archive.stat()
        meta = {
            "key": fp.key,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "dump_s": round(dump_s, 1),
            "classpath": classpath,
            "fingerprint": dict(fp.parts),
        }
        partial = self._meta(archive).with_suffix(".json.partial")
        partial.write_text(json.dumps(meta, indent=1, sort_keys=True))
        partial.replace(self._meta(archive))
        recording.jvm_log.unlink(missing_ok=True)
        _log.info(
            "class sharing: recorded %s (%.0f MB; the JVM took %.0f s to write it)", archive, stat.st_size / 1e6, dump_s
        )
        return archive


# ---------------------------------------------------------------- a PySpark driver's side


def finish_at_exit(recording: Recording) -> None:
    """When this Python exits, let its driver JVM write the archive, then install it.

    The JVM is the process pyspark launched (spark-submit execs java); it exits when its stdin
    closes. Registered after the session exists, so it runs before earlier atexit handlers.
    """
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    jvm_process = getattr(gateway, "proc", None)
    if gateway is None or jvm_process is None:  # a JVM this process did not launch records nothing
        recording.release()
        return
    classpath = str(gateway.jvm.java.lang.System.getProperty("java.class.path"))

    def finish() -> None:
        _log.info("class sharing: waiting for the driver JVM to write its class archive (once per machine)")
        _expect_jvm_exit(SparkContext._active_spark_context)
        recording.finish(jvm_process, classpath)

    atexit.register(finish)


def _expect_jvm_exit(context: Any) -> None:
    """The JVM exits on purpose now: its accumulator connection then ends (EOF) in pyspark's update
    server thread, which would print that as a request error with a traceback. It is expected here."""
    server = getattr(context, "_accumulatorServer", None)
    if server is None:
        return

    def expected_end(request: object, client_address: object) -> None:
        _log.debug("class sharing: the driver JVM closed its accumulator connection (%s)", client_address)

    server.handle_error = expected_end


def driver_fingerprint(config: Config, jar_paths: Sequence[Path] | None, extra_classpath: str = "") -> Fingerprint:
    """The fingerprint of a driver JVM this Python launches for ``config``."""
    return fingerprint(
        java=java_executable(),
        spark_home=spark_home(),
        jars=jar_paths or (),
        driver_memory=config.spark_driver_memory,
        extra_classpath=extra_classpath,
    )


def plan_for_driver(store: ArchiveStore | None, fp_inputs: Callable[[], Fingerprint], *, may_record: bool) -> Plan:
    """A plan that never fails a run: any problem keying the archive means no sharing, logged."""
    try:
        store = store or ArchiveStore()
        return store.plan(fp_inputs(), may_record=may_record)
    except (ClassSharingError, OSError) as e:
        _log.warning("class sharing off for this run: %s", e)
        return Plan()


# ---------------------------------------------------------------- python -m core.class_sharing


def _record_here() -> int:
    """Record this Python's archive with a representative workload, unless it exists already."""
    import tempfile

    from core.config import load_config
    from core.jars import ensure_jars
    from core.spark_session import get_spark

    logging.basicConfig(level=logging.INFO, format="[class-sharing] %(message)s", stream=sys.stderr)
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its "Closing down clientserver connection" at exit
    with tempfile.TemporaryDirectory(prefix="class-sharing-") as warehouse:
        config = load_config({"catalog_type": "hadoop", "warehouse": Path(warehouse).as_uri()})
        jars = (
            ensure_jars(config.jars_cache_dir, index_url=config.jars_index_url) if config.jars_source == "pypi" else []
        )
        store, fp = ArchiveStore(), driver_fingerprint(config, jars)
        store.wait_for_recording(fp)  # someone else's recording, if any, ends first
        if (archive := store.ready(fp)) is not None:
            _log.info("class sharing: %s is recorded already", archive)
            return 0
        spark = get_spark(config, app_name="class-sharing-recording")  # records: the archive is missing
        _representative_workload(spark)
    return 0  # the archive is written and installed at exit (finish_at_exit)


def _representative_workload(spark: Any) -> None:
    """What jobs do on a cold driver: Python rows, JSON and Parquet, an Iceberg table, MERGE, reads."""
    spark.sql("CREATE NAMESPACE IF NOT EXISTS cds")
    spark.sql("CREATE TABLE IF NOT EXISTS cds.t (id BIGINT, name STRING, at TIMESTAMP) USING iceberg")
    rows = spark.createDataFrame([(i, f"n{i}") for i in range(20)], "id BIGINT, name STRING")
    rows.selectExpr("id", "name", "current_timestamp() AS at").writeTo("cds.t").append()
    spark.sql(
        "MERGE INTO cds.t t USING (SELECT id, upper(name) AS name, current_timestamp() AS at FROM cds.t "
        "WHERE id < 5) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    spark.table("cds.t").groupBy("name").count().collect()
    spark.read.json(spark.sparkContext.parallelize(['{"a": 1, "b": "x"}'])).collect()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.class_sharing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", help="record for this Python's Spark (default: this one)")
    parser.add_argument("--status", action="store_true", help="list the recorded archives and exit")
    options = parser.parse_args(argv)
    store = ArchiveStore()
    if options.status:
        for meta_path in sorted(store.directory.glob("*.json")):
            meta = json.loads(meta_path.read_text())
            archive = meta_path.with_suffix(ARCHIVE_SUFFIX)
            sys.stdout.write(f"{archive}  {meta['size'] / 1e6:.0f} MB  written in {meta.get('dump_s', '?')} s\n")
        return 0
    # Not resolved: a venv's python is a link to the same interpreter, but its Spark is the venv's own.
    if options.python and Path(options.python).absolute() != Path(sys.executable).absolute():
        repo_root = Path(__file__).resolve().parents[1]
        python_path = os.pathsep.join(filter(None, [str(repo_root), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": python_path}
        return subprocess.run([options.python, "-m", "core.class_sharing"], env=env, check=False).returncode  # noqa: S603
    return _record_here()


if __name__ == "__main__":
    raise SystemExit(main())
