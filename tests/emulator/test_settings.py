"""LAKEHOUSE_* settings: parsed once, bad values named."""

from __future__ import annotations

import pytest

from emulator.catalog.file_io import s3_properties
from emulator.settings import SettingsError, load_settings


def test_the_catalog_uses_the_stacks_credentials_unless_told_otherwise() -> None:
    default = s3_properties(load_settings({}), "http://aws:4566")
    assert (default["s3.access-key-id"], default["s3.secret-access-key"]) == ("test", "test")
    minio = load_settings({"LAKEHOUSE_S3_ACCESS_KEY_ID": "minio", "LAKEHOUSE_S3_SECRET_ACCESS_KEY": "minio-secret"})
    properties = s3_properties(minio, "http://minio:9000")
    assert (properties["s3.endpoint"], properties["s3.access-key-id"], properties["s3.secret-access-key"]) == (
        "http://minio:9000", "minio", "minio-secret",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"LAKEHOUSE_S3_ACCESS_KEY_ID": "minio"}, "set both LAKEHOUSE_S3_ACCESS_KEY_ID and"),
        ({"LAKEHOUSE_AWS_PORT": "http"}, "LAKEHOUSE_AWS_PORT"),
    ],
)
def test_bad_settings_are_named(environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        load_settings(environ)
