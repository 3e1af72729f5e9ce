"""`uv run just unit` wall time: the unit tier as a developer runs it (lint and type checks excluded),
with pytest's own summary line and the machine's load average, which on a shared machine moves it a lot.

    uv run python -m bench.unit_tier [pytest args, e.g. -x]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from emulator.settings import REPO_ROOT


def main() -> None:
    before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(["uv", "run", "just", "unit", "-q", "-p", "no:cacheprovider", *sys.argv[1:]],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    after = os.getloadavg()
    summary = next((line for line in reversed(done.stdout.splitlines()) if " in " in line), "(no pytest summary)")
    print(f"`uv run just unit`: {seconds:.0f}s wall, exit {done.returncode}: {summary.strip('= ')}")
    print(f"load average before {before[0]:.1f} / after {after[0]:.1f} (1-minute; 2 cores)")


if __name__ == "__main__":
    main()
