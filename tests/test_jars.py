"""Jar provisioning against a real HTTP package index (served locally), and the real cached jars."""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from core.exceptions import JarError
from core.jars import Artifact, JarSpec, default_cache_dir, ensure_jars, load_manifest, maven_coordinates, verify_jar

JAR_BYTES = b"PK\x03\x04 pretend this is a jar"
JAR_SHA = hashlib.sha256(JAR_BYTES).hexdigest()


def _wheel_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("pkg/jars/thing-1.0.jar", JAR_BYTES)
    return buffer.getvalue()


def _sdist_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as sdist:
        info = tarfile.TarInfo("pkg-1.0/deps/jars/other-1.0.jar")
        info.size = len(JAR_BYTES)
        sdist.addfile(info, io.BytesIO(JAR_BYTES))
    return buffer.getvalue()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """A PEP 503 simple index on a real HTTP server: /simple/<project>/ and the files."""
    files = {"pkg-1.0-py3-none-any.whl": _wheel_bytes(), "pkg-1.0.tar.gz": _sdist_bytes()}
    root = tmp_path / "index"
    (root / "simple" / "pkg").mkdir(parents=True)
    (root / "files").mkdir()
    links = "".join(f'<a href="../../files/{n}#sha256=x">{n}</a>' for n in files)
    (root / "simple" / "pkg" / "index.html").write_text(f"<html><body>{links}</body></html>")
    for name, data in files.items():
        (root / "files" / name).write_bytes(data)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple", files
    server.shutdown()


def _specs(files: dict[str, bytes], *, jar_sha: str = JAR_SHA, artifact_sha: str | None = None) -> list[JarSpec]:
    def artifact(name: str) -> Artifact:
        return Artifact("pkg", "1.0", name, artifact_sha or hashlib.sha256(files[name]).hexdigest(), len(files[name]))

    return [
        JarSpec("thing-1.0.jar", jar_sha, len(JAR_BYTES), "g:thing:1.0", artifact("pkg-1.0-py3-none-any.whl"),
                "pkg/jars/thing-1.0.jar"),
        JarSpec("other-1.0.jar", jar_sha, len(JAR_BYTES), "g:other:1.0", artifact("pkg-1.0.tar.gz"),
                "pkg-1.0/deps/jars/other-1.0.jar"),
    ]  # fmt: skip


def test_downloads_from_wheel_and_sdist_and_verifies(index: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    url, files = index
    messages: list[str] = []
    paths = ensure_jars(tmp_path / "cache", index_url=url, specs=_specs(files), say=messages.append)
    assert [p.name for p in paths] == ["thing-1.0.jar", "other-1.0.jar"]
    assert all(p.read_bytes() == JAR_BYTES for p in paths)
    assert any("downloading pkg-1.0.tar.gz" in m for m in messages)
    # second call: cached, nothing downloaded
    messages.clear()
    ensure_jars(tmp_path / "cache", index_url=url, specs=_specs(files), say=messages.append)
    assert messages == []


def test_artifact_with_wrong_hash_is_refused(index: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    url, files = index
    with pytest.raises(JarError, match="pkg-1.0-py3-none-any.whl .* has sha256 .*refusing to use it"):
        ensure_jars(tmp_path / "cache", index_url=url, specs=_specs(files, artifact_sha="0" * 64), say=print)
    assert not (tmp_path / "cache" / "thing-1.0.jar").exists()


def test_jar_with_wrong_hash_inside_a_good_artifact_is_refused(
    index: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    url, files = index
    with pytest.raises(JarError, match="thing-1.0.jar in pkg-1.0-py3-none-any.whl has sha256"):
        ensure_jars(tmp_path / "cache", index_url=url, specs=_specs(files, jar_sha="f" * 64), say=print)


def test_artifact_missing_from_the_index(index: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    url, files = index
    specs = _specs(files)
    missing = JarSpec(**{**specs[0].__dict__, "artifact": Artifact("pkg", "1.0", "pkg-9.9.whl", "0" * 64, 1)})
    with pytest.raises(JarError, match="pkg-9.9.whl is not listed on .*/simple/pkg/"):
        ensure_jars(tmp_path / "cache", index_url=url, specs=[missing], say=print)


def test_missing_jar_without_download_names_jar_and_fix(tmp_path: Path) -> None:
    with pytest.raises(JarError, match=r"thing-1.0.jar, other-1.0.jar missing in .*run `uv run just jars`"):
        ensure_jars(tmp_path, specs=_specs({"pkg-1.0-py3-none-any.whl": b"", "pkg-1.0.tar.gz": b""}), download=False)


def test_corrupt_cached_jar_names_jar_source_and_fix(tmp_path: Path) -> None:
    spec = load_manifest()[1]
    bad = tmp_path / spec.name
    bad.write_bytes(b"truncated")
    with pytest.raises(JarError) as caught:
        verify_jar(spec, bad)
    message = str(caught.value)
    assert "hadoop-aws-3.3.1.jar" in message
    assert "is corrupt" in message
    assert "sagemaker-pyspark==1.4.5" in message
    assert "just jars --force" in message


def test_manifest_pins_the_three_jars_and_maven_alternative() -> None:
    specs = load_manifest()
    assert [s.name for s in specs] == [
        "iceberg-spark-runtime-3.5_2.12-1.10.2.jar",
        "hadoop-aws-3.3.1.jar",
        "aws-java-sdk-bundle-1.11.901.jar",
    ]
    assert specs[0].artifact.project == "snowpark-connect-deps-iceberg"
    assert specs[0].artifact.version == "1.0.2"  # 1.0.3's copy of the jar is broken
    assert maven_coordinates(specs) == (
        "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.2,"
        "org.apache.hadoop:hadoop-aws:3.3.1,com.amazonaws:aws-java-sdk-bundle:1.11.901"
    )


def test_the_provisioned_jars_match_their_pins() -> None:
    """The real cache (bootstrap provisions it) holds exactly the pinned bytes."""
    for spec in load_manifest():
        verify_jar(spec, default_cache_dir() / spec.name, full=True)
