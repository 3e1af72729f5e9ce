"""Emulator settings: ports, state directory and the lakehouse names, derived from core's local profile.

Everything a client needs (buckets, warehouse, region, credentials) comes from the same
``core.config`` local profile the jobs use, so the emulator and the jobs cannot disagree.
Ports, the state directory, public addresses and the catalog's S3 credentials can be changed with
``LAKEHOUSE_*`` environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.config import Config, load_config
from core.state_layout import StateLayout, state_layout

REPO_ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_ID = "123456789012"  # moto's default account: every local ARN uses it
# core settings about this machine, not the lakehouse: where jars come from, how big Spark is.
MACHINE_SETTINGS = ("DOMAIN_PROJECT_JARS_", "DOMAIN_PROJECT_SPARK_")


class SettingsError(ValueError):
    """A LAKEHOUSE_* setting is malformed."""


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise SettingsError(f"{name}={text!r} is not a TCP port (1-65535)")
    return int(text)


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, str(default))
    try:
        value = float(text)
    except ValueError as e:
        raise SettingsError(f"{name}={text!r} is not a number of seconds") from e
    if value <= 0:
        raise SettingsError(f"{name}={text!r} must be positive")
    return value


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit() or int(text) <= 0:
        raise SettingsError(f"{name}={text!r} is not a positive whole number")
    return int(text)


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit():
        raise SettingsError(f"{name}={text!r} is not a whole number (0 or more)")
    return int(text)


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


@dataclass(frozen=True)
class Settings:
    """Where the embedded stack listens and keeps its state."""

    host: str
    aws_port: int
    catalog_port: int
    state_dir: Path
    lakehouse: Config  # core's local profile: buckets, warehouse, region, credentials
    public_aws_endpoint: str | None = None  # how others reach it, when not host:port (containers)
    public_catalog_uri: str | None = None
    client_s3_endpoint: str | None = None  # the S3 address the catalog gives its clients, if not aws_endpoint
    # The catalog's S3 credentials when its warehouse is not on this stack's S3 (the minio profile).
    s3_credentials: tuple[str, str] | None = None
    seconds_per_timeout_minute: float = 60.0  # Glue timeouts are whole minutes; tests shrink the minute
    catalog_allowed_locations: tuple[str, ...] = ()  # table locations allowed besides the warehouse
    catalog_max_body_bytes: int = 10 * 1024 * 1024
    job_python: str | None = None  # the Glue runtime's Python (containers); None: the cached runtime venv
    # Pre-started Glue job processes (Python + JVM + a warmed-up Spark) waiting for runs; 0: every run starts cold.
    glue_warm_drivers: int = 1
    # This machine's DOMAIN_PROJECT_JARS_*/SPARK_* settings (where jars come from, Spark's size).
    machine_environ: tuple[tuple[str, str], ...] = ()

    @property
    def run_config(self) -> Config:
        """What a job run's Spark is given: core's local profile at this stack, on this machine."""
        return load_config({"env": "local", "s3_endpoint": self.aws_endpoint}, environ=dict(self.machine_environ))

    @property
    def aws_endpoint(self) -> str:
        return self.public_aws_endpoint or f"http://{self.host}:{self.aws_port}"

    @property
    def catalog_uri(self) -> str:
        return self.public_catalog_uri or f"http://{self.host}:{self.catalog_port}"

    @property
    def layout(self) -> StateLayout:
        """Every path in the state directory (core.state_layout)."""
        return StateLayout(self.state_dir)

    @property
    def catalog_db(self) -> Path:
        return self.layout.catalog_db

    @property
    def runs_dir(self) -> Path:
        return self.layout.runs

    def client_environment(self) -> dict[str, str]:
        """What any client (core.config, boto3, the AWS CLI, pyiceberg) needs to find this stack."""
        config = self.lakehouse
        return {
            "ENV": "local",
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": config.aws_access_key_id or "test",
            "AWS_SECRET_ACCESS_KEY": config.aws_secret_access_key or "test",
            "AWS_DEFAULT_REGION": config.region,
            "AWS_REGION": config.region,
            "DOMAIN_PROJECT_CATALOG_TYPE": "rest",
            "DOMAIN_PROJECT_CATALOG_URI": self.catalog_uri,
            "DOMAIN_PROJECT_S3_ENDPOINT": self.aws_endpoint,
            "DOMAIN_PROJECT_WAREHOUSE": config.warehouse,
        }


def _credentials(environ: Mapping[str, str]) -> tuple[str, str] | None:
    key_id = environ.get("LAKEHOUSE_S3_ACCESS_KEY_ID") or None
    secret = environ.get("LAKEHOUSE_S3_SECRET_ACCESS_KEY") or None
    if bool(key_id) != bool(secret):
        raise SettingsError("set both LAKEHOUSE_S3_ACCESS_KEY_ID and LAKEHOUSE_S3_SECRET_ACCESS_KEY, or neither")
    return (key_id, secret) if key_id and secret else None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    state_dir = state_layout(environ, REPO_ROOT).root
    return Settings(
        host=environ.get("LAKEHOUSE_HOST", "127.0.0.1"),
        aws_port=_port(environ, "LAKEHOUSE_AWS_PORT", 4566),
        catalog_port=_port(environ, "LAKEHOUSE_CATALOG_PORT", 8181),
        state_dir=state_dir,
        lakehouse=load_config({"env": "local"}, environ={}),
        public_aws_endpoint=environ.get("LAKEHOUSE_AWS_ENDPOINT") or None,
        public_catalog_uri=environ.get("LAKEHOUSE_CATALOG_URI") or None,
        client_s3_endpoint=environ.get("LAKEHOUSE_CLIENT_S3_ENDPOINT") or None,
        s3_credentials=_credentials(environ),
        seconds_per_timeout_minute=_seconds(environ, "LAKEHOUSE_SECONDS_PER_TIMEOUT_MINUTE", 60.0),
        catalog_allowed_locations=tuple(_csv(environ.get("LAKEHOUSE_CATALOG_ALLOWED_LOCATIONS", ""))),
        catalog_max_body_bytes=_positive_int(environ, "LAKEHOUSE_CATALOG_MAX_BODY_BYTES", 10 * 1024 * 1024),
        job_python=environ.get("LAKEHOUSE_JOB_PYTHON") or None,
        glue_warm_drivers=_count(environ, "LAKEHOUSE_GLUE_WARM_DRIVERS", 1),
        machine_environ=tuple(sorted((k, v) for k, v in environ.items() if k.startswith(MACHINE_SETTINGS))),
    )
