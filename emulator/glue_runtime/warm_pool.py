"""Warm job drivers: a small pool of pre-started Glue job processes, each waiting for exactly one run.

A cold run pays for Python, the JVM, the SparkContext and Spark's first queries (class loading, the
JIT) before its script does anything. A warm driver (``pythonpath/_lakehouse_runtime/warm_driver.py``)
has done all that with the run defaults of this stack; a run takes one, the driver runs the run's
script as ``python <script>`` would and exits, and the pool starts a replacement in the background.

What a started JVM cannot change is the pool's key (:func:`session_key`): the job Python, the
environment the JVM reads (:data:`JVM_ENVIRONMENT_PREFIXES`: region and credentials included; the
per-run PYTHONPATH and Spark-defaults file aside) and
the Spark settings read when the JVM starts (:data:`JVM_LAUNCH_PREFIXES`: driver memory and Java
options, class path, ``spark.jars``/``--extra-jars``). A run with another key starts cold.
Everything else in the run's configuration (app name, ``--conf`` catalogs and SQL settings, …) is
applied to a SparkContext by the driver (``_lakehouse_runtime.lending``), as a cold process would.

Memory: every idle driver holds a JVM of ``spark.driver.memory``; the pool keeps at most as many
as fit, with :data:`PROCESS_OVERHEAD_BYTES` each, in half of this machine's memory.

CPU: a replacement warms up beside the runs at the lowest CPU priority (:data:`WARMING_NICENESS`), so
it takes only the CPU they leave, and a run that takes it gets this process's priority back: its
warm-up, cut short by the run at its next step, has done part of what a cold start would do, so a
driver still warming up is ahead of a cold start. Giving a priority back needs the permission to raise
one (root, CAP_SYS_NICE or RLIMIT_NICE; Linux only, where niceness is per thread and a process group
covers all of a driver's). Without it, a replacement warming up beside a run would take that run's CPU
(on 2 cores a pipeline then ran slower than all-cold: 125.4 s vs 120.0 s, ``bench/warm_drivers.py``),
so replacements wait until no run has been active for :data:`REFILL_QUIET_SECONDS` (every run counts,
warm or cold: :meth:`WarmPool.running`): a pipeline uses the idle drivers, then runs cold.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from emulator.glue_runtime.prepare import CONF_ENV, PreparedRun, prepare_warm_driver
from emulator.settings import Settings

JVM_LAUNCH_PREFIXES = (
    "spark.driver.memory", "spark.driver.extra", "spark.driver.defaultJavaOptions",
    "spark.driver.userClassPathFirst", "spark.jars", "spark.submit.",
)  # fmt: skip
PER_RUN_ENVIRONMENT = frozenset({CONF_ENV, "PYTHONPATH"})
# The environment the JVM (and the Python workers it starts for UDFs) reads; the driver's Python gets
# the run's whole environment anyway, so variables outside these (PYTEST_CURRENT_TEST, …) do not key.
JVM_ENVIRONMENT_PREFIXES = (
    "JAVA", "JDK_", "_JAVA_", "SPARK_", "PYSPARK_", "HADOOP_", "AWS_", "PYTHON", "LD_", "PATH", "HOME", "USER",
    "TZ", "LANG", "LC_", "TMPDIR", "DOMAIN_PROJECT_", "LAKEHOUSE_",
)  # fmt: skip
PROCESS_OVERHEAD_BYTES = 512 * 1024**2  # the JVM's non-heap memory and the driver's Python
MAX_WARM_UP_FAILURES = 3  # in a row; then the pool stops trying and every run starts cold
WARMING_NICENESS = 19  # the lowest CPU priority: a warm-up takes only what runs leave
REFILL_QUIET_SECONDS = 3.0  # longer than a pipeline's pause between two runs (Step Functions' .sync poll)
READY, BEGIN = "ready", "begin"
WARM_WHILE_WARMING_UP = "warm: taken while warming up (its warm-up cut short)"
_TAIL_LINES = 200
_WARM_UP_LINES = 60
_MEMORY_RE = re.compile(r"^(\d+)([kmgt]?)b?$", re.IGNORECASE)
_UNITS = {"": 1024**2, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}  # Spark: no unit means MiB

Key = tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def session_key(prepared: PreparedRun) -> Key:
    """What a driver's process fixed when it started: a run with another key cannot use it."""
    env = tuple(
        sorted(
            (k, v)
            for k, v in prepared.env.items()
            if k.startswith(JVM_ENVIRONMENT_PREFIXES) and k not in PER_RUN_ENVIRONMENT
        )
    )
    launch = tuple(sorted((k, v) for k, v in prepared.spark_defaults.items() if k.startswith(JVM_LAUNCH_PREFIXES)))
    return prepared.command[0], env, launch


def driver_memory_bytes(value: str) -> int:
    match = _MEMORY_RE.match(value.strip())
    if not match:
        raise ValueError(f"spark.driver.memory={value!r} is not a size such as 2g or 512m")
    return int(match[1]) * _UNITS[match[2].lower()]


def pool_size_that_fits(wanted: int, driver_memory: str, machine_bytes: int) -> int:
    """At most ``wanted`` drivers, and no more than fit in half of ``machine_bytes``."""
    each = driver_memory_bytes(driver_memory) + PROCESS_OVERHEAD_BYTES
    return max(0, min(wanted, machine_bytes // 2 // each))


def _machine_bytes() -> int:
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def can_give_priority_back() -> bool:
    """Whether this process may raise a priority it lowered (probed on a thread of its own: on Linux
    niceness is per thread, so the probe changes nothing else)."""
    if sys.platform != "linux":
        return False
    answer: list[bool] = []

    def probe() -> None:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        try:
            os.setpriority(os.PRIO_PROCESS, 0, min(own + 1, WARMING_NICENESS))
            os.setpriority(os.PRIO_PROCESS, 0, own)
        except PermissionError:
            answer.append(False)
            return
        answer.append(own < WARMING_NICENESS)

    thread = threading.Thread(target=probe, name="warm-driver-priority-probe")
    thread.start()
    thread.join()
    return answer == [True]


def _to_stderr(line: str) -> None:
    sys.stderr.write(f"[aws] {line}\n")
    sys.stderr.flush()


class _Relay:
    """Reads one of a driver's streams: warm-up output is kept aside (shown if the warm-up fails);
    after the ``begin`` marker every line is the run's, given to ``sink``."""

    def __init__(self, stream: IO[str], marker: str, on_end: Callable[[], None]) -> None:
        self._stream = stream
        self._marker = marker
        self._on_end = on_end
        self.sink: Callable[[str], None] | None = None
        self.tail: deque[str] = deque(maxlen=_TAIL_LINES)
        self.warm_up: deque[str] = deque(maxlen=_WARM_UP_LINES)
        self.ready = threading.Event()
        self.begun = threading.Event()
        self._thread = threading.Thread(target=self._read, name="warm-driver-relay", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self._stream:
                if self.begun.is_set():
                    assert self.sink is not None  # set before the run is sent, so before "begin"
                    self.sink(line)
                    self.tail.append(line.rstrip("\n"))
                elif line.startswith(self._marker):
                    word = line[len(self._marker) :].strip()
                    (self.ready if word == READY else self.begun).set()
                else:
                    self.warm_up.append(line.rstrip("\n"))
        finally:
            self._on_end()

    def join(self) -> None:
        self._thread.join()


class WarmDriver:
    """One pre-started job process; :meth:`start` gives it its run (the runner's launch protocol)."""

    def __init__(self, template: PreparedRun, on_exit: Callable[[WarmDriver], None], *, niceness: int | None) -> None:
        self.marker = f"@@lakehouse-warm-driver-{secrets.token_hex(8)}"
        self.process = subprocess.Popen(  # noqa: S603 - the Glue runtime's Python on our driver module
            [*template.command, self.marker], cwd=template.cwd, env=template.env, text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        self._lowered = niceness is not None
        if niceness is not None:  # before its JVM starts: the JVM and its threads inherit it
            self._set_priority(niceness)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._ended = 0
        self._lock = threading.Lock()
        self._on_exit = on_exit
        self.stdout = _Relay(self.process.stdout, self.marker, self._stream_ended)
        self.stderr = _Relay(self.process.stderr, self.marker, self._stream_ended)

    @property
    def ready(self) -> bool:
        return self.stdout.ready.is_set() and self.stderr.ready.is_set()

    @property
    def began(self) -> bool:
        """The run's script started (its output is the run's); False: the process ended before."""
        return self.stdout.begun.is_set()

    def alive(self) -> bool:
        return self.process.poll() is None

    def _set_priority(self, niceness: int) -> None:
        """Every thread of the driver's process group (its Python, its JVM): the group is its session."""
        try:
            os.setpriority(os.PRIO_PGRP, self.process.pid, niceness)
        except ProcessLookupError:
            return  # it already ended: the pool (or the run taking it) sees that

    def give_priority_back(self) -> None:
        """A run took it: this process's priority again, if it was lowered."""
        if self._lowered:
            self._set_priority(os.getpriority(os.PRIO_PROCESS, 0))

    def _stream_ended(self) -> None:
        with self._lock:
            self._ended += 1
            both = self._ended == 2
        if both:
            self._on_exit(self)

    def start(self, run: PreparedRun, output: Callable[[str], None], error: Callable[[str], None]) -> int:
        """Send ``run`` (the driver reads it when warm); its output goes to the sinks. Returns the pid."""
        self.stdout.sink, self.stderr.sink = output, error
        message = json.dumps({"argv": run.command[1:], "env": run.env, "cwd": str(run.cwd)}) + "\n"
        # A large environment can exceed the pipe's buffer: write it without holding up the runner.
        threading.Thread(target=self._send, args=(message,), name="warm-driver-send", daemon=True).start()
        return self.process.pid

    def _send(self, message: str) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()  # stdin stays open: its EOF tells the driver the emulator is gone
        except (BrokenPipeError, ValueError):
            return  # the driver died (or was stopped) first: the runner sees it end before "begin"

    def finish(self) -> tuple[deque[str], deque[str]]:
        """After the process ended: every line relayed; the tails the run's error summary reads."""
        self.stdout.join()
        self.stderr.join()
        self.close_stdin()
        return self.stdout.tail, self.stderr.tail

    def close_stdin(self) -> None:
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                return

    def warm_up_output(self) -> list[str]:
        return [*self.stdout.warm_up, *self.stderr.warm_up]


class WarmPool:
    """Keeps ``settings.glue_warm_drivers`` idle drivers (fewer if they do not fit in memory)."""

    def __init__(self, settings: Settings, *, say: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.wanted = settings.glue_warm_drivers
        self.size = 0  # known once the template (and its driver memory) is
        self.pool_dir = settings.layout.warm_drivers
        self.decisions: dict[str, str] = {}  # run id -> "warm" or "cold: <why>", for tests and benchmarks
        self._say = say or _to_stderr
        self._template: PreparedRun | None = None
        self._key: Key | None = None
        self._idle: list[WarmDriver] = []
        self._failures = 0
        self._closed = False
        self._active_runs = 0
        self._last_run_ended: float | None = None
        self._changed = threading.Condition()
        self._keeper: threading.Thread | None = None
        self._template_ready = threading.Event()
        self.beside_runs = False  # replacements warm up beside runs (known with the template)

    def start(self) -> None:
        """Begin filling the pool in the background (idempotent)."""
        with self._changed:
            if self._keeper is not None or self.wanted == 0:
                return
            self._keeper = threading.Thread(target=self._keep, name="warm-driver-pool", daemon=True)
            self._keeper.start()

    def start_after(self, seconds: float) -> None:
        """Fill the pool once the stack has come up: a JVM starting at once would take the CPU the other
        service needs to become ready. A run asking before then starts the filling itself (``take``)."""
        timer = threading.Timer(seconds, self.start)
        timer.daemon = True
        timer.start()

    def _prepare_template(self) -> bool:
        shutil.rmtree(self.pool_dir, ignore_errors=True)  # drivers of an earlier start are gone with it
        self.pool_dir.mkdir(parents=True, exist_ok=True)
        try:
            template = prepare_warm_driver(self.settings, self.pool_dir)
        except Exception as e:  # noqa: BLE001 - no pool is not fatal: every run starts cold, and says why here
            self._say(f"warm job drivers disabled: their process could not be prepared: {type(e).__name__}: {e}")
            return False
        memory = template.spark_defaults.get("spark.driver.memory", "1g")
        self.size = pool_size_that_fits(self.wanted, memory, _machine_bytes())
        if self.size < self.wanted:
            self._say(f"warm job drivers: {self.size} of the {self.wanted} asked for fit in memory "
                      f"(spark.driver.memory={memory} each, half of this machine at most)")  # fmt: skip
        self._template, self._key = template, session_key(template)
        # At the lowest priority beside runs only where a taken one can get its priority back.
        self.beside_runs = can_give_priority_back()
        return True

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around every run, warm or cold: no replacement starts warming up while one is active."""
        with self._changed:
            self._active_runs += 1
        try:
            yield
        finally:
            with self._changed:
                self._active_runs -= 1
                self._last_run_ended = time.monotonic()
                self._changed.notify_all()

    def _wait_before_refill(self) -> float | None:
        """How long the keeper still waits for quiet (None: until something changes; 0: refill now)."""
        if self._active_runs:
            return None
        if self._last_run_ended is None:
            return 0.0
        return max(0.0, self._last_run_ended + REFILL_QUIET_SECONDS - time.monotonic())

    def _keep(self) -> None:
        ok = self._prepare_template()
        self._template_ready.set()
        if not ok:
            return
        assert self._template is not None
        while True:
            with self._changed:
                while not self._closed:
                    if len(self._idle) >= self.size or self._failures >= MAX_WARM_UP_FAILURES:
                        self._changed.wait()
                    elif not self.beside_runs and (wait := self._wait_before_refill()) != 0.0:
                        self._changed.wait(wait)
                    else:
                        break
                if self._closed:
                    return
            try:
                niceness = WARMING_NICENESS if self.beside_runs else None
                driver = WarmDriver(self._template, self._driver_exited, niceness=niceness)
            except OSError as e:
                self._say(f"warm job drivers disabled: a driver could not be started: {e}")
                with self._changed:
                    self._failures = MAX_WARM_UP_FAILURES
                continue
            with self._changed:
                if self._closed:
                    driver.close_stdin()
                    return
                self._idle.append(driver)

    def _driver_exited(self, driver: WarmDriver) -> None:
        """Both streams of a driver ended. An idle one died: its warm-up failed (or it was killed)."""
        with self._changed:
            if driver not in self._idle:
                return  # taken by a run (its runner follows it) or the pool closed
            self._idle.remove(driver)
            if self._closed:
                return
            self._failures += 1
            failures = self._failures
            self._changed.notify_all()
        driver.process.wait()
        lines = "\n".join(driver.warm_up_output()[-20:])
        self._say(f"a warm job driver exited during warm-up (code {driver.process.returncode}):\n{lines}")
        if failures >= MAX_WARM_UP_FAILURES:
            self._say(f"warm job drivers disabled after {failures} failed warm-ups: every run starts cold")

    def take(self, prepared: PreparedRun, run_id: str) -> WarmDriver | None:
        """An idle driver for ``prepared`` (ready ones first; a warming one is still ahead of a cold start),
        or None: then the run starts cold, and :attr:`decisions` says why."""
        if self.wanted == 0:
            return None
        self.start()  # in-process servers fill the pool from their first run on
        self._template_ready.wait()
        if self._key is None:
            return self._decide(run_id, None, "cold: the pool could not be prepared")
        if session_key(prepared) != self._key:
            return self._decide(run_id, None, "cold: its JVM settings, Python or environment differ from the pool's")
        with self._changed:
            alive = [d for d in self._idle if d.alive()]
            if not alive:
                return self._decide(run_id, None, "cold: no idle warm driver")
            driver = next((d for d in alive if d.ready), alive[0])
            self._idle.remove(driver)
            self._failures = 0 if driver.ready else self._failures
            self._changed.notify_all()
        driver.give_priority_back()
        return self._decide(run_id, driver, "warm" if driver.ready else WARM_WHILE_WARMING_UP)

    def went_cold(self, run_id: str, driver: WarmDriver) -> None:
        """The driver ended before the run began (it cannot run it faithfully): the run starts cold."""
        said = [line for line in driver.warm_up_output() if line.startswith("[lakehouse]")]
        why = said[-1] if said else f"the warm driver exited with code {driver.process.returncode} before the run"
        self._decide(run_id, None, f"cold: {why}")

    def _decide(self, run_id: str, driver: WarmDriver | None, decision: str) -> WarmDriver | None:
        self.decisions[run_id] = decision
        return driver

    def status(self) -> dict[str, int]:
        """For the health answer: the pool's size and its idle drivers, warm or still warming up."""
        with self._changed:
            idle = [d for d in self._idle if d.alive()]
            return {"size": self.size, "idle": len(idle), "ready": sum(d.ready for d in idle)}

    def idle_pids(self) -> list[int]:
        """For tests: the process (and process group) of each idle driver."""
        with self._changed:
            return [d.process.pid for d in self._idle if d.alive()]

    def wait_until_ready(self, timeout: float) -> bool:
        """For benchmarks and tests: every idle driver of a full pool is warm (False on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if self._template_ready.is_set() and status["ready"] >= self.size:
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        """End the idle drivers (their stdin's EOF; SIGKILL for one that does not go) and stop refilling."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for driver in idle:
            driver.close_stdin()
        for driver in idle:
            try:
                driver.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(driver.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                driver.process.wait()
