"""Which AWS endpoint a terraform command reaches is the caller's choice, never the shell's."""

from __future__ import annotations

from pathlib import Path

from tools.deploy.terraform import terraform_env

SHELL = {  # a shell that ran `eval "$(just env)"`, plus a service override
    "PATH": "/usr/bin",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
    "AWS_REGION": "eu-west-1",
}


def test_inherited_endpoint_overrides_are_dropped(tmp_path: Path) -> None:
    env = terraform_env(tmp_path, SHELL)
    assert {key: env.get(key) for key in SHELL} == {
        "PATH": "/usr/bin", "AWS_ENDPOINT_URL": None, "AWS_ENDPOINT_URL_S3": None, "AWS_REGION": "eu-west-1",
    }  # fmt: skip
    assert env["TF_DATA_DIR"] == str(tmp_path)


def test_the_local_environment_passes_its_endpoint_explicitly(tmp_path: Path) -> None:
    env = terraform_env(tmp_path, SHELL, extra={"AWS_ENDPOINT_URL": "http://127.0.0.1:40123"})
    assert (env["AWS_ENDPOINT_URL"], env.get("AWS_ENDPOINT_URL_S3")) == ("http://127.0.0.1:40123", None)
