"""core.class_sharing: the driver JVM's class-data-sharing archive, keyed, recorded, checked, replaced.

The file-level tests use a fake Spark home; the e2e test records and maps a real archive with
real driver JVMs (each in a process of its own, with a private archive folder).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.class_sharing import ArchiveStore, Fingerprint, fingerprint, java_executable
from core.exceptions import ClassSharingError
from core.jars import default_cache_dir

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def spark_home(tmp_path: Path) -> Path:
    home = tmp_path / "spark"
    (home / "jars").mkdir(parents=True)
    (home / "jars" / "spark-core.jar").write_bytes(b"core")
    (home / "jars" / "iceberg.jar").write_bytes(b"iceberg")
    return home


@pytest.fixture
def store(tmp_path: Path) -> ArchiveStore:
    return ArchiveStore(tmp_path / "archives")


def _fp(spark_home: Path) -> Fingerprint:
    return fingerprint(java=java_executable(), spark_home=spark_home, environ={})


def _install_fake(store: ArchiveStore, fp: Fingerprint, content: bytes = b"archive") -> Path:
    """What ArchiveStore.install leaves behind, without a JVM: the archive and its record."""
    store.directory.mkdir(parents=True, exist_ok=True)
    archive = store.directory / f"{fp.name}.jsa"
    archive.write_bytes(content)
    stat = archive.stat()
    record = {"key": fp.key, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "fingerprint": dict(fp.parts)}
    archive.with_suffix(".json").write_text(json.dumps(record))
    return archive


def test_fingerprint_names_the_jar_that_changed(spark_home: Path) -> None:
    before = _fp(spark_home)
    (spark_home / "jars" / "iceberg.jar").write_bytes(b"iceberg 1.10.3")
    after = _fp(spark_home)
    assert after.slot == before.slot
    assert after.key != before.key
    assert after.differences(before.parts) == ["spark:iceberg.jar changed"]


def test_an_installed_archive_is_mapped_with_sharing_on_auto(store: ArchiveStore, spark_home: Path) -> None:
    fp = _fp(spark_home)
    archive = _install_fake(store, fp)
    plan = store.plan(fp, may_record=True)
    assert plan.java_options == (f"-XX:SharedArchiveFile={archive}", "-Xshare:auto")
    assert plan.recording is None


def test_a_stale_archive_is_removed_with_the_reason_and_rerecorded(
    store: ArchiveStore, spark_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = _install_fake(store, _fp(spark_home))
    (spark_home / "jars" / "spark-core.jar").write_bytes(b"core, patched")
    fp = _fp(spark_home)
    with caplog.at_level(logging.INFO, logger="core.class_sharing"):
        plan = store.plan(fp, may_record=True)
    assert plan.recording is not None
    try:
        assert not old.exists()
        assert not old.with_suffix(".json").exists()
        assert f"the archive {old.name} was recorded for another JDK or classpath (spark:spark-core.jar changed)" in (
            caplog.text
        )
        recording = store.directory / f"{fp.name}.jsa.recording"
        assert plan.java_options[0] == f"-XX:ArchiveClassesAtExit={recording}"
        # The dump's thousands of warnings go to a file next to the archive, not to the job's stdout.
        assert plan.java_options[1:] == (
            "-Xlog:cds*=off",
            f"-Xlog:cds*=warning:file={recording.parent / fp.name}.dump.log",
        )
    finally:
        plan.recording.release()


def test_an_archive_that_changed_on_disk_is_never_mapped(
    store: ArchiveStore, spark_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fp = _fp(spark_home)
    archive = _install_fake(store, fp, b"a whole archive")
    with archive.open("r+b") as f:
        f.truncate(4)  # a truncated archive makes the JVM die of SIGBUS, so it must not be mapped
    plan = store.plan(fp, may_record=False)
    assert plan.java_options == ()
    assert not archive.exists()
    assert "it changed on disk since it was checked" in caplog.text


def test_only_one_process_records_a_slot(
    store: ArchiveStore, spark_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fp = _fp(spark_home)
    first = store.plan(fp, may_record=True)
    assert first.recording is not None
    try:
        with caplog.at_level(logging.INFO, logger="core.class_sharing"):
            second = store.plan(fp, may_record=True)  # a second open file description: the lock holds
        assert second.java_options == ()
        assert second.recording is None
        assert "another process is recording" in caplog.text
    finally:
        first.recording.release()
    assert store.plan(fp, may_record=True).recording is not None  # released: the next one may record


def test_a_failed_recording_turns_sharing_off_until_its_marker_is_removed(
    store: ArchiveStore, spark_home: Path
) -> None:
    fp = _fp(spark_home)
    plan = store.plan(fp, may_record=True)
    assert plan.recording is not None
    # The JVM exited without writing an archive (e.g. a non-empty directory on its classpath).
    assert store.install(plan.recording, classpath=str(spark_home / "jars" / "*"), dump_s=1.0) is None
    plan.recording.release()
    marker = store.directory / f"{fp.name}.failed"
    assert "the JVM wrote no archive" in marker.read_text()
    assert store.plan(fp, may_record=True) == type(plan)()
    marker.unlink()
    assert store.plan(fp, may_record=True).recording is not None


def test_the_jvm_refuses_a_corrupt_archive(store: ArchiveStore, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jsa"
    corrupt.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(ClassSharingError, match="the JVM refuses the archive"):
        store.validate(corrupt, classpath=str(tmp_path))


def _probe(tmp_path: Path, cache_home: Path, *, java_options: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOMAIN_PROJECT_", "PYSPARK_"))}
    env |= {"XDG_CACHE_HOME": str(cache_home), "DOMAIN_PROJECT_JARS_CACHE_DIR": str(default_cache_dir())}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if java_options:  # defaultJavaOptions come before core's extraJavaOptions and are kept by them
        env["PYSPARK_SUBMIT_ARGS"] = f"--conf spark.driver.defaultJavaOptions={java_options} pyspark-shell"
    warehouse = (tmp_path / "warehouse").as_uri()
    command = [sys.executable, "-m", "tests.class_sharing_probe", warehouse]
    return subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=True)


@pytest.mark.e2e
def test_the_first_driver_records_the_archive_and_the_next_maps_it(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    archives = cache_home / "domain-project" / "class-sharing"
    squares = [[n, n * n] for n in range(5)]

    first = _probe(tmp_path, cache_home)
    assert json.loads(first.stdout.strip().splitlines()[-1]) == squares
    assert "this run records one when it ends" in first.stderr
    assert "[cds]" not in first.stdout  # the dump's warnings went to its log file
    (archive,) = archives.glob("*.jsa")
    record = json.loads(archive.with_suffix(".json").read_text())
    assert record["size"] == archive.stat().st_size
    assert f"class sharing: recorded {archive}" in first.stderr

    class_log = tmp_path / "classes.log"
    second = _probe(tmp_path, cache_home, java_options=f"-Xlog:class+load=info:file={class_log}")
    assert json.loads(second.stdout.strip().splitlines()[-1]) == squares
    assert "records one" not in second.stderr
    loaded = {line.split()[1]: line for line in class_log.read_text().splitlines() if " source: " in line}
    # Spark's own classes (app class path) and Iceberg's (spark.jars) come mapped from the archive.
    assert "source: shared objects file (top)" in loaded["org.apache.spark.SparkContext"]
    assert "source: shared objects file (top)" in loaded["org.apache.iceberg.spark.SparkCatalog"]

    truncated = tmp_path / "truncated.jsa"
    with archive.open("rb") as whole, truncated.open("wb") as part:
        shutil.copyfileobj(whole, part)
        part.truncate(archive.stat().st_size // 2)
    with pytest.raises(ClassSharingError, match="the JVM refuses the archive"):
        ArchiveStore(archives).validate(truncated, record["classpath"])


def test_a_glue_runs_driver_maps_the_archive_of_the_runs_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator writes a run's defaults for the run's Python, whose Spark may be another install."""
    from core.class_sharing import spark_home_of
    from core.config import load_config
    from emulator.glue_runtime.spark_defaults import run_spark_defaults

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    config = load_config({"catalog_type": "hadoop", "warehouse": tmp_path.as_uri()}, environ={})
    jars = [tmp_path / "iceberg.jar"]
    jars[0].write_bytes(b"iceberg")

    def defaults() -> str:
        conf = run_spark_defaults(config, jar_paths=jars, extra_jars=[tmp_path / "theirs.jar"], app_name="job",
                                  conf={}, job_python=Path(sys.executable))  # fmt: skip
        return conf["spark.driver.extraJavaOptions"]

    store = ArchiveStore(tmp_path / "domain-project" / "class-sharing")
    without = defaults()
    assert "SharedArchiveFile" not in without
    assert "ArchiveClassesAtExit" not in without  # the emulator never records: it does not see the JVM exit
    assert not list(store.directory.glob("*.lock"))
    fp = fingerprint(java=java_executable(), spark_home=spark_home_of(Path(sys.executable)), jars=jars)
    archive = _install_fake(store, fp)
    assert defaults() == f"{without} -XX:SharedArchiveFile={archive} -Xshare:auto"
