"""Environment-agnostic configuration, resolved once at the edge and passed down.

Precedence, highest first:

1. keyword arguments to :func:`get_config` / :func:`load_config`;
2. ``DOMAIN_PROJECT_<KEY>`` environment variables (in Glue, which cannot set
   environment variables, the same names passed as job parameters; see ``core.job``);
3. the JSON or YAML file named by ``CONFIG_PATH``;
4. the defaults of the active profile (``ENV``: local, dev, int, prod).

Locally, a running lakehouse (``just up``) writes ``.lakehouse/stack.env``; :func:`get_config`
finds it (in the working directory or a parent, or ``$LAKEHOUSE_STATE_DIR``) and treats its
``DOMAIN_PROJECT_*`` lines as environment variables that real ones override, so jobs find
the stack with no flags.

Every value is typed and validated; an unknown key or a bad value raises
:class:`~core.exceptions.ConfigError` naming the key. Nothing here runs at import time.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from core.exceptions import ConfigError
from core.state_layout import DEFAULT_DIR_NAME, STACK_ENV_NAME, STATE_DIR_ENV, state_layout

ENV_VAR_PREFIX = "DOMAIN_PROJECT_"
ENVIRONMENTS = ("local", "dev", "int", "prod")
AWS_ENVIRONMENTS = ("dev", "int", "prod")
CATALOG_TYPES = ("rest", "hadoop", "glue", "glue_rest")
AWS_CATALOG_TYPES = ("glue", "glue_rest")
JARS_SOURCES = ("pypi", "maven", "classpath")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_MEMORY_RE = re.compile(r"^\d+[kmgt]?$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclasses.dataclass(frozen=True)
class Config:
    """Resolved configuration. Build it with :func:`get_config`, never by hand in jobs."""

    env: str
    domain: str
    catalog_name: str
    catalog_type: str
    catalog_uri: str | None
    glue_catalog_id: str | None
    warehouse: str
    region: str
    s3_endpoint: str | None
    s3_path_style: bool
    aws_access_key_id: str | None
    aws_secret_access_key: str | None
    raw_bucket: str
    curated_bucket: str
    artifacts_bucket: str
    raw_root: str | None
    spark_master: str
    spark_shuffle_partitions: int
    spark_ui: bool
    spark_driver_memory: str
    spark_fast_start: bool
    spark_class_sharing: bool
    jars_source: str
    jars_cache_dir: str | None
    jars_index_url: str
    log_level: str
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @property
    def is_aws(self) -> bool:
        """True when the job runs on the AWS Glue runtime (dev, int, prod)."""
        return self.env in AWS_ENVIRONMENTS

    def raw_uri(self, *parts: str) -> str:
        """URI under the raw zone: ``raw_root`` if set, else ``s3://<raw_bucket>``."""
        root = (self.raw_root or f"s3://{self.raw_bucket}").rstrip("/")
        return "/".join([root, *(p.strip("/") for p in parts if p)])

    def redacted(self) -> dict[str, Any]:
        """All values with secrets masked, for logs and ``python -m core.config``."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "sources"}
        for key in SECRET_KEYS:
            if values.get(key):
                values[key] = "***"
        return values


SECRET_KEYS = frozenset({"aws_access_key_id", "aws_secret_access_key"})
KEYS = tuple(f.name for f in dataclasses.fields(Config) if f.name != "sources")


def _profile_defaults(env: str) -> dict[str, Any]:
    """Per-environment defaults. Local points at the embedded emulator's default ports."""
    common: dict[str, Any] = {
        "domain": "domain-project",
        "catalog_name": "lakehouse",
        "region": "eu-west-1",
        "raw_root": None,
        "spark_master": "local[2]",
        "spark_shuffle_partitions": 4,
        "spark_ui": False,
        "spark_driver_memory": "2g",
        # C1-only JIT and serial GC: local jobs on small data start and finish ~20% sooner;
        # turn off for volume runs (gen-data, benchmarks), where C2's compiled code pays off.
        "spark_fast_start": True,
        # Driver JVMs map a class-data-sharing archive of the Spark/Iceberg/S3A classpath (core.class_sharing).
        "spark_class_sharing": True,
        "jars_source": "pypi",
        "jars_cache_dir": None,
        "jars_index_url": "https://pypi.org/simple",
        "log_level": "INFO",
    }
    prefix = f"domain-project-{env}"
    buckets = {
        "raw_bucket": f"{prefix}-raw",
        "curated_bucket": f"{prefix}-curated",
        "artifacts_bucket": f"{prefix}-artifacts",
        "warehouse": f"s3://{prefix}-curated/warehouse",
    }
    if env == "local":
        return (
            common
            | buckets
            | {
                "catalog_type": "rest",
                "catalog_uri": "http://127.0.0.1:8181",
                "glue_catalog_id": None,
                "s3_endpoint": "http://127.0.0.1:4566",
                "s3_path_style": True,
                "aws_access_key_id": "test",
                "aws_secret_access_key": "test",
            }
        )
    return (
        common
        | buckets
        | {
            "catalog_type": "glue",
            "catalog_uri": None,
            "glue_catalog_id": None,
            "s3_endpoint": None,
            "s3_path_style": False,
            "aws_access_key_id": None,
            "aws_secret_access_key": None,
        }
    )


# ---------------------------------------------------------------- value parsers


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(key, f"expected a string, got {type(value).__name__} {value!r}")
    text = str(value).strip()
    if not text:
        raise ConfigError(key, "must not be empty")
    return text


def _optional_text(key: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text(key, value)


def _choice(choices: tuple[str, ...], *, upper: bool = False) -> Callable[[str, Any], str]:
    def parse(key: str, value: Any) -> str:
        text = _text(key, value)
        text = text.upper() if upper else text.lower()
        if text not in choices:
            raise ConfigError(key, f"{value!r} is not one of {', '.join(choices)}")
        return text

    return parse


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str, Any], str]:
    def parse(key: str, value: Any) -> str:
        text = _text(key, value)
        if not regex.match(text):
            raise ConfigError(key, f"{text!r} is not {what}")
        return text

    return parse


def _optional_pattern(regex: re.Pattern[str], what: str) -> Callable[[str, Any], str | None]:
    required = _pattern(regex, what)

    def parse(key: str, value: Any) -> str | None:
        return None if _optional_text(key, value) is None else required(key, value)

    return parse


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(key, value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(key, f"{value!r} is not a boolean (use true/false)")


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ConfigError(key, f"{value!r} is not an integer")
    try:
        number = int(_text(key, value))
    except ValueError as e:
        raise ConfigError(key, f"{value!r} is not an integer") from e
    if number < 1:
        raise ConfigError(key, f"{number} must be at least 1")
    return number


def _http_url(key: str, value: Any) -> str | None:
    text = _optional_text(key, value)
    if text is not None and not re.match(r"^https?://[^/\s]+", text):
        raise ConfigError(key, f"{text!r} is not an http(s) URL")
    return text.rstrip("/") if text else None


def _storage_uri(key: str, value: Any) -> str:
    """s3://, s3a://, file:// or a local path (made absolute, as a file:// URI)."""
    text = _text(key, value)
    if re.match(r"^(s3a?)://[a-z0-9][a-z0-9.-]+[a-z0-9](/.*)?$", text):
        return text.rstrip("/")
    if text.startswith("file://"):
        return "file://" + str(Path(text[len("file://") :]).resolve())
    if "://" in text:
        raise ConfigError(key, f"{text!r}: only s3://, s3a://, file:// or a local path are supported")
    return Path(text).resolve().as_uri()


def _optional_storage_uri(key: str, value: Any) -> str | None:
    return None if _optional_text(key, value) is None else _storage_uri(key, value)


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "env": _choice(ENVIRONMENTS),
    "domain": _pattern(re.compile(r"^[a-z][a-z0-9-]{1,40}$"), "a lowercase name (a-z, 0-9, -)"),
    "catalog_name": _pattern(_IDENTIFIER_RE, "a SQL identifier"),
    "catalog_type": _choice(CATALOG_TYPES),
    "catalog_uri": _http_url,
    # The Data Catalog that Glue's Iceberg REST endpoint serves: the account id, or
    # <account>:s3tablescatalog/<table bucket> for S3 Tables.
    "glue_catalog_id": _optional_pattern(re.compile(r"^\d{12}(:[A-Za-z0-9_./-]+)?$"), "a 12-digit AWS account id"),
    "warehouse": _storage_uri,
    "region": _pattern(_REGION_RE, "an AWS region such as eu-west-1"),
    "s3_endpoint": _http_url,
    "s3_path_style": _bool,
    "aws_access_key_id": _optional_text,
    "aws_secret_access_key": _optional_text,
    "raw_bucket": _pattern(_BUCKET_RE, "a valid S3 bucket name"),
    "curated_bucket": _pattern(_BUCKET_RE, "a valid S3 bucket name"),
    "artifacts_bucket": _pattern(_BUCKET_RE, "a valid S3 bucket name"),
    "raw_root": _optional_storage_uri,
    "spark_master": _text,
    "spark_shuffle_partitions": _positive_int,
    "spark_ui": _bool,
    "spark_driver_memory": _pattern(_MEMORY_RE, "a JVM memory size such as 2g"),
    "spark_fast_start": _bool,
    "spark_class_sharing": _bool,
    "jars_source": _choice(JARS_SOURCES),
    "jars_cache_dir": _optional_text,
    "jars_index_url": _http_url,
    "log_level": _choice(LOG_LEVELS, upper=True),
}
assert set(_PARSERS) == set(KEYS), "every Config field needs a parser"


# ---------------------------------------------------------------- sources


def _unknown(key: str, where: str) -> ConfigError:
    hint = difflib.get_close_matches(key, KEYS, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(KEYS)}"
    return ConfigError(key, f"unknown key (from {where}){suggestion}")


def _parse_yaml(file: Path, text: str) -> Any:
    try:
        import yaml  # imported only when a YAML file is used: JSON needs no extra package
    except ImportError as e:
        raise ConfigError("CONFIG_PATH", f"{file}: reading YAML needs PyYAML installed; or use JSON") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError("CONFIG_PATH", f"{file}: cannot parse YAML: {e}") from e


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a flat JSON or YAML mapping of config keys."""
    file = Path(path)
    key = "CONFIG_PATH"
    if not file.is_file():
        raise ConfigError(key, f"{file} does not exist or is not a file")
    text = file.read_text(encoding="utf-8")
    suffix = file.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(key, f"{file}: cannot parse JSON: {e}") from e
    elif suffix in {".yaml", ".yml"}:
        data = _parse_yaml(file, text)
    else:
        raise ConfigError(key, f"{file}: use a .json, .yaml or .yml file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(key, f"{file}: expected a mapping of keys to values, got {type(data).__name__}")
    return data


def _from_environ(environ: Mapping[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in environ.items():
        if name.startswith(ENV_VAR_PREFIX):
            key = name[len(ENV_VAR_PREFIX) :].lower()
            if key not in KEYS or key == "env":
                raise _unknown(key, f"environment variable {name}")
            values[key] = value
    return values


STACK_ENV_FILE = Path(DEFAULT_DIR_NAME) / STACK_ENV_NAME  # relative: found from the working directory up


def find_stack_env(environ: Mapping[str, str], start: Path | None = None) -> Path | None:
    """The running local stack's ``stack.env``, if there is one."""
    if environ.get(STATE_DIR_ENV):
        candidate = state_layout(environ).stack_env
        return candidate if candidate.is_file() else None
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STACK_ENV_FILE).is_file():
            return folder / STACK_ENV_FILE
    return None


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blanks skipped)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError("LAKEHOUSE_STATE_DIR", f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        values[key.strip()] = value.strip()
    return values


def load_config(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    discover_stack: bool = False,
) -> Config:
    """Resolve configuration from explicit overrides and an environment mapping.

    ``environ`` defaults to ``os.environ``; tests and ``core.job`` pass their own. With
    ``discover_stack``, a local run also reads the running stack's ``stack.env`` (see above).
    """
    overrides = dict(overrides or {})
    environ = os.environ if environ is None else environ
    for key in overrides:
        if key not in KEYS:
            raise _unknown(key, "keyword argument")

    env = _PARSERS["env"]("env", overrides.get("env") or environ.get("ENV") or "local")
    stack_values: dict[str, str] = {}
    stack_file = find_stack_env(environ) if discover_stack and env == "local" else None
    if stack_file is not None:
        stack_values = {k: v for k, v in read_env_file(stack_file).items() if k.startswith(ENV_VAR_PREFIX)}
    file_values: dict[str, Any] = {}
    config_path = environ.get("CONFIG_PATH")
    if config_path:
        file_values = read_config_file(config_path)
        for key in file_values:
            if key not in KEYS or key == "env":
                raise _unknown(key, f"file {config_path}")

    layers: list[tuple[str, Mapping[str, Any]]] = [
        ("keyword argument", overrides),
        ("environment", _from_environ(environ)),
        (f"stack file {stack_file}", _from_environ(stack_values)),
        (f"file {config_path}", file_values),
        (f"{env} profile default", _profile_defaults(env)),
    ]
    values: dict[str, Any] = {"env": env}
    sources: dict[str, str] = {"env": "keyword argument" if "env" in overrides else "ENV"}
    for key in KEYS:
        if key == "env":
            continue
        for where, layer in layers:
            if key in layer:
                raw = layer[key]
                values[key] = None if raw is None else _PARSERS[key](key, raw)
                sources[key] = where
                break
    config = Config(**values, sources=sources)
    _check_consistency(config)
    return config


def _check_consistency(config: Config) -> None:
    if config.catalog_type == "rest" and not config.catalog_uri:
        raise ConfigError("catalog_uri", "is required when catalog_type is 'rest'")
    if config.catalog_type in AWS_CATALOG_TYPES and not config.is_aws:
        raise ConfigError("catalog_type", f"{config.catalog_type!r} is only available on AWS (ENV dev, int or prod)")
    if config.catalog_type == "glue_rest" and not config.glue_catalog_id:
        raise ConfigError("glue_catalog_id", "is required when catalog_type is 'glue_rest' (the AWS account id)")
    if config.warehouse.startswith(("s3://", "s3a://")) and not config.is_aws and not config.s3_endpoint:
        raise ConfigError("s3_endpoint", f"is required locally for the s3 warehouse {config.warehouse}")
    if bool(config.aws_access_key_id) != bool(config.aws_secret_access_key):
        raise ConfigError("aws_secret_access_key", "set both aws_access_key_id and aws_secret_access_key, or neither")


def get_config(**overrides: Any) -> Config:
    """Resolve configuration from ``overrides``, the process environment, a running local stack
    and ``CONFIG_PATH``."""
    return load_config(overrides, discover_stack=True)


def _main() -> None:
    """``python -m core.config``: print the resolved configuration and where each value came from."""
    config = get_config()
    for key, value in config.redacted().items():
        print(f"{key:26} = {value!s:55} # {config.sources.get(key, '')}")


if __name__ == "__main__":
    _main()
