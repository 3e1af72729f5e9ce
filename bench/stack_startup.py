"""`just up` to ready: three cold starts of the embedded stack on spare ports."""

from __future__ import annotations

import statistics
import tempfile

from emulator.settings import load_settings
from emulator.stack import supervisor
from tests.emulator.servers import free_port


def main() -> None:
    seconds = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as state:
            env = {"LAKEHOUSE_STATE_DIR": state, "LAKEHOUSE_AWS_PORT": str(free_port()),
                   "LAKEHOUSE_CATALOG_PORT": str(free_port())}  # fmt: skip
            settings = load_settings(env)
            seconds.append(supervisor.up(settings, say=lambda _: None))
            supervisor.down(settings, say=lambda _: None)
    print(f"just up to ready: {', '.join(f'{s:.2f}s' for s in seconds)} (median {statistics.median(seconds):.2f}s)")


if __name__ == "__main__":
    main()
