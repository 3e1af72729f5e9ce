"""Why a job run failed, in one line (its ``ErrorMessage``), from what the job printed.

In order: the Python exception line that ended the last traceback (``ValueError: boom``); when that
is py4j's wrapper of a Java error (or there is no traceback), the Java root cause: the last
``Caused by:`` line, else the first Java exception line. Stack frames (``\tat java.base/…``) never are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TRACEBACK = "Traceback (most recent call last):"
_PY4J_WRAPPER = "py4j.protocol.Py4JJavaError"
# A Java exception line, as a JVM prints it, as a "Caused by:", or as py4j puts it after its own line (": …").
_JAVA_EXCEPTION = re.compile(
    r'^(?:Caused by: |: |Exception in thread "[^"]*" )?'
    r"((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)\b.*)"
)


def python_exception(lines: Sequence[str]) -> str | None:
    """The exception line of the last traceback: the first unindented line after its frames."""
    starts = [i for i, line in enumerate(lines) if line.startswith(_TRACEBACK)]
    if not starts:
        return None
    for line in lines[starts[-1] + 1 :]:
        if line.strip() and not line[0].isspace():
            return line.strip()
    return None


def java_exception(lines: Sequence[str]) -> str | None:
    found = [
        m[1].strip() for line in lines if (m := _JAVA_EXCEPTION.match(line)) and not m[1].startswith(_PY4J_WRAPPER)
    ]
    causes = [m[1].strip() for line in lines if line.startswith("Caused by: ") and (m := _JAVA_EXCEPTION.match(line))]
    if causes:
        return causes[-1]
    return found[0] if found else None


def root_cause(lines: Sequence[str]) -> str | None:
    python = python_exception(lines)
    if python and not python.startswith(_PY4J_WRAPPER):
        return python
    return java_exception(lines) or python
