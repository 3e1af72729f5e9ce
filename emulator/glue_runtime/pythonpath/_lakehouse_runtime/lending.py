"""A warm driver's SparkContext, lent to the run's script.

A warm driver (:mod:`_lakehouse_runtime.warm_driver`) starts its JVM and a SparkContext with the
run defaults before any run exists, then hides that context from pyspark (no active context, no
default session, the launch's ``spark.*`` system properties cleared) so the script finds what a
cold process has: nothing. The script's first ``SparkContext(...)`` (``getOrCreate()``,
``SparkSession.builder.getOrCreate()`` and ``GlueContext(SparkContext())`` all come to it) asks
for a configuration; :func:`claim` gives the lent context when that configuration differs from the
live one only in what a running context still takes for sessions created after it (the app name,
run-time and per-session Spark SQL settings, catalogs, and what only the JVM's launch reads: Java
options, heap, class path); anything else (master, ``spark.hadoop.*``,
serializer, …) stops the lent context and the script's own is created in the same JVM, as a Glue
script's is in the JVM Glue started before it. Sessions are always new: the script's session is
built on the context with the script's own options, exactly as in a cold process.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

# Static Spark SQL settings that are still read per new session (SparkSession.applyExtensions).
_PER_SESSION_STATIC = frozenset({"spark.sql.extensions"})
# Settings only the launch of the driver JVM reads (heap, Java options, class and library path): a
# context created in this running JVM would record them and not apply them either, so a difference
# in them is no reason to stop the lent context (core's get_spark() passes its own Java options).
_JVM_LAUNCH_ONLY = frozenset({
    "spark.driver.memory", "spark.driver.extraJavaOptions", "spark.driver.defaultJavaOptions",
    "spark.driver.extraClassPath", "spark.driver.extraLibraryPath",
})  # fmt: skip
# In local mode the executor is this JVM too: its launch settings are the driver's.
_LOCAL_EXECUTOR_LAUNCH_ONLY = frozenset({"spark.executor.extraJavaOptions", "spark.executor.defaultJavaOptions"})
# What SparkContext's constructor adds in front of these two (Java module and IPv6 options), in its order.
_JAVA_OPTIONS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")
_SUPPLEMENTS = (
    "org$apache$spark$SparkContext$$supplementJavaModuleOptions",
    "org$apache$spark$SparkContext$$supplementJavaIPv6Options",
)
# SparkContext arguments a lent context can honour (everything else: a new context).
_ADOPTABLE_ARGUMENTS = frozenset({"master", "appName", "conf"})


class _Loan:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.context: Any = None  # lent and not claimed yet
        self.adopted: Any = None  # just handed to SparkContext.__init__, which must leave it alone
        # What the lent context was created with (Spark normalises some values on the way in, as it
        # would for a cold context created with the same settings: compare with this, not the live conf).
        self.created_with: dict[str, str] = {}
        self.worker_python_path: str | None = None  # the run's PYTHONPATH, for Python workers (UDFs)


_LOAN = _Loan()


def lent() -> Any:
    return _LOAN.context


def lend(context: Any, launch_conf: Mapping[str, str]) -> None:
    """Hide ``context`` (and its sessions) from pyspark until a script asks for a context."""
    from pyspark.context import SparkContext
    from pyspark.sql import SparkSession

    jvm = context._jvm
    jvm.org.apache.spark.sql.SparkSession.clearDefaultSession()
    jvm.org.apache.spark.sql.SparkSession.clearActiveSession()
    for key in launch_conf:  # a cold process's SparkConf() has not seen them either (no JVM yet)
        jvm.java.lang.System.clearProperty(key)
    from pyspark.conf import SparkConf

    launched_by_submit = {str(k): str(v) for k, v in SparkConf().getAll()}  # spark-submit's own properties
    with SparkContext._lock:
        SparkSession._instantiatedSession = None
        SparkSession._activeSession = None
        SparkContext._active_spark_context = None
    _LOAN.context = context
    _LOAN.created_with = {**launched_by_submit, **launch_conf}


def begin_run(worker_python_path: str) -> None:
    """The run arrived: contexts created or claimed from now on serve it."""
    _LOAN.worker_python_path = worker_python_path


def _adjustable(jvm: Any, key: str, master: str) -> bool:
    if key == "spark.app.name" or key in _PER_SESSION_STATIC or key in _JVM_LAUNCH_ONLY:
        return True
    if key in _LOCAL_EXECUTOR_LAUNCH_ONLY and master.startswith("local"):
        return True
    return key.startswith("spark.sql.") and not jvm.org.apache.spark.sql.internal.SQLConf.isStaticConfigKey(key)


def _wanted(conf: Any, arguments: Mapping[str, Any]) -> dict[str, str]:
    """The configuration SparkContext(...) would start with (its master/appName arguments win)."""
    wanted = {str(k): str(v) for k, v in conf.getAll()}
    if arguments.get("master"):
        wanted["spark.master"] = str(arguments["master"])
    if arguments.get("appName"):
        wanted["spark.app.name"] = str(arguments["appName"])
    return wanted


def claim(conf: Any, arguments: Mapping[str, Any]) -> Any:
    """The lent context configured as asked, or None (then it is stopped: the caller creates one)."""
    from pyspark.context import SparkContext

    with _LOAN.lock:
        context, _LOAN.context = _LOAN.context, None
    if context is None:
        return None
    wanted = _wanted(conf, arguments)
    differing = [k for k, v in wanted.items() if _LOAN.created_with.get(k) != v]
    fits = (
        set(arguments) <= _ADOPTABLE_ARGUMENTS
        and _LOAN.created_with.keys() <= wanted.keys()
        and all(_adjustable(context._jvm, k, wanted.get("spark.master", "")) for k in differing)
    )
    if not fits:
        context.stop()
        return None
    recorded = _as_a_new_context_records(context, {k: wanted[k] for k in differing})
    for key, value in recorded.items():  # the live SparkConf: sessions created from now on read it
        context._conf.set(key, value)
    context.appName = wanted.get("spark.app.name", context.appName)
    with SparkContext._lock:
        SparkContext._active_spark_context = context
    _LOAN.adopted = context
    _started(context, wanted)
    return context


def _as_a_new_context_records(context: Any, values: dict[str, str]) -> dict[str, str]:
    """``values`` as a context created with them would hold them: its constructor supplements the Java
    options (Spark's own code does it here, on a scratch SparkConf, so the result is Spark's)."""
    options = {k: v for k, v in values.items() if k in _JAVA_OPTIONS}
    if not options:
        return values
    scratch = context._jvm.org.apache.spark.SparkConf(False)
    for key in _JAVA_OPTIONS:
        scratch.set(key, options.get(key, _LOAN.created_with.get(key, "")))
    companion = getattr(getattr(context._jvm.org.apache.spark, "SparkContext$"), "MODULE$")
    for supplement in _SUPPLEMENTS:
        getattr(companion, supplement)(scratch)
    return {**values, **{key: str(scratch.get(key)) for key in options}}


def is_adopted(context: Any) -> bool:
    """True once, for SparkContext.__init__ called on the context claim() just handed out."""
    if context is not None and context is _LOAN.adopted:
        _LOAN.adopted = None
        return True
    return False


def created(context: Any, conf: Any) -> None:
    """A context was created in this process; in a warm driver's run it gets what a cold one has."""
    if _LOAN.worker_python_path is not None and conf is not None:
        _started(context, {str(k): str(v) for k, v in conf.getAll()})


def _started(context: Any, conf: Mapping[str, str]) -> None:
    if _LOAN.worker_python_path is None:
        return
    # A cold process's JVM has the run's PYTHONPATH in its environment; Python workers get it from there.
    context.environment["PYTHONPATH"] = _LOAN.worker_python_path
    system = context._jvm.java.lang.System
    for key, value in conf.items():  # what a cold launch leaves as system properties
        system.setProperty(key, value)
