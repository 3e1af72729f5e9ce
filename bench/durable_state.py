"""Durable state's costs: S3 puts through the journal, `up` after `kill -9` (journal replay) and
after `down` (snapshot load), with N objects: `uv run python -m bench.durable_state [N]`."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time

from emulator.aws.persistence import JOURNAL_FILE, SNAPSHOT_FILE
from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from tests.emulator.servers import free_port


def _quiet(_: str) -> None:
    """The supervisor's progress lines are not the measurement."""


def _megabytes(settings: Settings, name: str) -> str:
    return f"{(settings.state_dir / 'aws' / name).stat().st_size / 1e6:.1f} MB"


def _kill_aws(settings: Settings) -> None:
    pid = int(json.loads((settings.state_dir / supervisor.PID_FILE).read_text())["pids"]["aws"])
    os.killpg(pid, signal.SIGKILL)
    while supervisor.status(settings)[0].alive:
        time.sleep(0.05)


def main(objects: int) -> None:
    with tempfile.TemporaryDirectory() as state:
        settings = load_settings({"LAKEHOUSE_STATE_DIR": state, "LAKEHOUSE_AWS_PORT": str(free_port()),
                                  "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
        print(f"up --fresh: {supervisor.up(settings, fresh=True, say=_quiet):.2f}s")
        s3, body = aws_client(settings, "s3"), os.urandom(10_000)
        started = time.monotonic()
        for n in range(objects):
            s3.put_object(Bucket=settings.lakehouse.raw_bucket, Key=f"bench/{n}", Body=body)
        seconds = time.monotonic() - started
        print(f"{objects} puts of 10 kB, one client: {seconds:.2f}s ({objects / seconds:.0f}/s); "
              f"journal {_megabytes(settings, JOURNAL_FILE)}")  # fmt: skip
        _kill_aws(settings)
        print(f"up after kill -9 (replays the journal): {supervisor.up(settings, say=_quiet):.2f}s")
        started = time.monotonic()
        supervisor.down(settings, say=_quiet)
        print(f"down (snapshot): {time.monotonic() - started:.2f}s; snapshot {_megabytes(settings, SNAPSHOT_FILE)}")
        print(f"up after down (loads the snapshot): {supervisor.up(settings, say=_quiet):.2f}s")
        supervisor.down(settings, say=_quiet)
        restored = [line for line in (settings.state_dir / "logs" / "aws.log").read_text().splitlines()
                    if "state restored" in line]  # fmt: skip
        print("\n".join(restored))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
