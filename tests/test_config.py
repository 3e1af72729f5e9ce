from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.config import KEYS, load_config
from core.exceptions import ConfigError


def test_defaults_of_the_local_profile_point_at_the_embedded_stack() -> None:
    config = load_config(environ={})
    assert (config.env, config.catalog_type, config.catalog_uri) == ("local", "rest", "http://127.0.0.1:8181")
    assert config.s3_endpoint == "http://127.0.0.1:4566"
    assert config.warehouse == "s3://domain-project-local-curated/warehouse"
    assert config.sources["catalog_type"] == "local profile default"


@pytest.mark.parametrize("env", ["dev", "int", "prod"])
def test_aws_profiles_use_the_glue_catalog_and_real_s3(env: str) -> None:
    config = load_config(environ={"ENV": env})
    assert config.is_aws
    assert (config.catalog_type, config.s3_endpoint, config.aws_access_key_id) == ("glue", None, None)
    assert config.raw_bucket == f"domain-project-{env}-raw"


def test_precedence_is_kwargs_then_env_then_file_then_defaults(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text("region: eu-central-1\nlog_level: debug\nspark_shuffle_partitions: 8\nraw_bucket: from-file\n")
    environ = {
        "CONFIG_PATH": str(file),
        "DOMAIN_PROJECT_LOG_LEVEL": "warning",
        "DOMAIN_PROJECT_RAW_BUCKET": "from-env",
    }
    config = load_config({"raw_bucket": "from-kwargs"}, environ=environ)
    assert config.raw_bucket == "from-kwargs"
    assert config.log_level == "WARNING"
    assert config.region == "eu-central-1"
    assert config.spark_shuffle_partitions == 8
    assert config.catalog_name == "lakehouse"
    assert config.sources["raw_bucket"] == "keyword argument"
    assert config.sources["log_level"] == "environment"
    assert config.sources["region"] == f"file {file}"
    assert config.sources["catalog_name"] == "local profile default"


def test_json_file_and_typed_values(tmp_path: Path) -> None:
    file = tmp_path / "c.json"
    file.write_text(json.dumps({"spark_ui": "yes", "s3_path_style": False, "warehouse": str(tmp_path / "wh")}))
    config = load_config(environ={"CONFIG_PATH": str(file), "DOMAIN_PROJECT_CATALOG_TYPE": "hadoop"})
    assert config.spark_ui is True
    assert config.s3_path_style is False
    assert config.warehouse == (tmp_path / "wh").as_uri()


@pytest.mark.parametrize(
    ("overrides", "environ", "key", "fragment"),
    [
        ({"regoin": "x"}, {}, "regoin", "did you mean 'region'"),
        ({}, {"DOMAIN_PROJECT_WAREHOUS": "x"}, "warehous", "environment variable DOMAIN_PROJECT_WAREHOUS"),
        ({"spark_ui": "maybe"}, {}, "spark_ui", "not a boolean"),
        ({"spark_shuffle_partitions": "0"}, {}, "spark_shuffle_partitions", "at least 1"),
        ({"spark_shuffle_partitions": "four"}, {}, "spark_shuffle_partitions", "not an integer"),
        ({"region": "Europe"}, {}, "region", "not an AWS region"),
        ({"raw_bucket": "Bad_Bucket"}, {}, "raw_bucket", "not a valid S3 bucket name"),
        ({"warehouse": "hdfs://nn/wh"}, {}, "warehouse", "only s3://, s3a://, file://"),
        ({"catalog_uri": "localhost:8181"}, {}, "catalog_uri", "not an http(s) URL"),
        ({"catalog_type": "hive"}, {}, "catalog_type", "not one of rest, hadoop, glue"),
        ({"env": "staging"}, {}, "env", "not one of local, dev, int, prod"),
        ({"catalog_type": "glue"}, {}, "catalog_type", "only available on AWS"),
        ({"catalog_type": "glue_rest"}, {}, "catalog_type", "only available on AWS"),
        ({"catalog_type": "glue_rest", "env": "dev"}, {}, "glue_catalog_id", "required when catalog_type is"),
        ({"glue_catalog_id": "12345"}, {}, "glue_catalog_id", "not a 12-digit AWS account id"),
        ({"catalog_uri": None}, {}, "catalog_uri", "required when catalog_type is 'rest'"),
        ({"aws_secret_access_key": None}, {}, "aws_secret_access_key", "or neither"),
        ({"catalog_name": "my-catalog"}, {}, "catalog_name", "not a SQL identifier"),
    ],
)
def test_bad_input_names_the_key(
    overrides: dict[str, object], environ: dict[str, str], key: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(overrides, environ=environ)
    assert caught.value.key == key
    assert fragment in str(caught.value)


def test_unknown_key_in_file_is_rejected_with_the_file_named(tmp_path: Path) -> None:
    file = tmp_path / "c.yml"
    file.write_text("raw_buckett: x\n")
    with pytest.raises(ConfigError, match=r"raw_buckett.*from file .*c\.yml.*did you mean 'raw_bucket'"):
        load_config(environ={"CONFIG_PATH": str(file)})


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("c.yaml", "- a\n- b\n", "expected a mapping"),
        ("c.yaml", "a: [unclosed\n", "cannot parse YAML"),
        ("c.json", "{nope", "cannot parse JSON"),
        ("c.toml", "a = 1", "use a .json, .yaml or .yml file"),
    ],
)
def test_bad_config_files(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    file = tmp_path / name
    file.write_text(text)
    with pytest.raises(ConfigError, match="CONFIG_PATH") as caught:
        load_config(environ={"CONFIG_PATH": str(file)})
    assert fragment in str(caught.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(environ={"CONFIG_PATH": str(tmp_path / "absent.yaml")})


def test_redacted_masks_credentials_only() -> None:
    values = load_config(environ={}).redacted()
    assert values["aws_secret_access_key"] == "***"
    assert values["aws_access_key_id"] == "***"
    assert values["raw_bucket"] == "domain-project-local-raw"
    assert set(values) == set(KEYS)


def test_raw_uri_uses_the_raw_root_or_the_bucket(tmp_path: Path) -> None:
    assert load_config(environ={}).raw_uri("sales/orders/", "d=1") == "s3://domain-project-local-raw/sales/orders/d=1"
    config = load_config({"raw_root": str(tmp_path)}, environ={})
    assert config.raw_uri("sales") == f"{tmp_path.as_uri()}/sales"


def test_the_readme_lists_every_key_and_no_other() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("- Keys: ", 1)[1].split("\n\n", 1)[0]
    without_values = re.sub(r"\([^)]*\)", "", paragraph)  # "(`rest`, `hadoop` ...)" lists values, not keys
    listed = set(re.findall(r"`([a-z_0-9]+)`", without_values))
    assert listed == set(KEYS) - {"env"}
