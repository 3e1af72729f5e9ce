"""``glueContext.get_logger()``: a logger with Glue's methods, writing lines to stdout (info) / stderr."""

from __future__ import annotations

import sys
import time


class GlueLogger:
    def _line(self, level: str, message: object, stream_name: str) -> None:
        stream = sys.stderr if stream_name == "stderr" else sys.stdout
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        print(f"{stamp} {level} [glue] {message}", file=stream, flush=True)

    def info(self, message: object) -> None:
        self._line("INFO", message, "stdout")

    def debug(self, message: object) -> None:
        self._line("DEBUG", message, "stdout")

    def warn(self, message: object) -> None:
        self._line("WARN", message, "stderr")

    warning = warn

    def error(self, message: object) -> None:
        self._line("ERROR", message, "stderr")
