"""``python -m tools <command> [args]``: see tools/commands.py."""

import sys

from tools.commands import main

raise SystemExit(main(sys.argv[1:]))
