# domain-project developer commands. Run `uv run just` (or `just` inside the venv) to list them.
# CI runs these same recipes; .ci/run calls `scripts/bootstrap.sh test`.

set dotenv-load := true
set positional-arguments := false

# List the recipes
default:
    @just --list --unsorted

# Set up this machine (idempotent): uv, Python deps, jars, .env
bootstrap:
    ./scripts/bootstrap.sh

# Lint and check formatting (ruff)
lint *args:
    uv run ruff check {{args}} .
    uv run ruff format --check .

# Format and auto-fix the code (ruff)
fmt:
    uv run ruff format .
    uv run ruff check --fix .

# Type-check core (mypy, strict)
typecheck:
    uv run mypy

# Everything CI checks: lint, types, then the whole test suite (args go to pytest)
test *args: lint typecheck
    uv run pytest {{args}}

# Only the unit tests, fastest feedback (args go to pytest)
unit *args:
    uv run pytest -m "not e2e and not terraform and not compose" {{args}}

# Build the core wheel into dist/ (only core is in it)
build:
    rm -rf dist
    uv build --wheel --out-dir dist
    @ls -l dist

# Run one job locally exactly as Glue calls it: just run sales/job_daily_sales --run_date 2026-11-26
run job *args:
    uv run python -m tools.run_job {{job}} {{args}}

# Run the three jobs end-to-end on local Spark + Iceberg and print the tables
demo *args:
    uv run python -m tools.demo {{args}}

# Generate larger raw data shaped like the samples: just gen-data --rows 100000
gen-data *args:
    uv run python -m tools.gen_data {{args}}

# Check the job manifests against the scripts on disk
validate:
    uv run python -m tools.manifest validate

# Download (if missing) and verify the JVM jars local Spark needs (--force, --verify)
jars *args:
    uv run python -m core.jars {{args}}

# Show the resolved configuration and where each value came from
config:
    uv run python -m core.config

# Remove build output, caches and local state (.lakehouse/)
clean:
    rm -rf dist build .pytest_cache .mypy_cache .ruff_cache .lakehouse spark-warehouse metastore_db derby.log
    find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +
