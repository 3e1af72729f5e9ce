"""Give every Spark session a job run creates Glue's environment, whatever the script calls.

``SparkSession.builder.getOrCreate()``, ``SparkContext()``, ``SparkContext.getOrCreate()`` and
``GlueContext(...)`` all construct a ``SparkContext``: its constructor gets the run's Spark
defaults (the values the script did not set itself, as ``spark-defaults.conf`` would) and the
whole configuration mapped by :func:`_lakehouse_runtime.catalogs.map_to_local`. Options given to
a builder when a session already exists are mapped the same way.

In a warm driver (:mod:`_lakehouse_runtime.warm_driver`) the JVM and a SparkContext exist before
the run: :func:`switch_run` points the hook at the run's defaults and ``lending.lend`` offers that
context to the script, which gets it from its first ``SparkContext(...)``/``getOrCreate()`` when
the configuration it asks for (run defaults included) matches it up to what a live context can
still take (:mod:`_lakehouse_runtime.lending`); otherwise the lent context is stopped and the
script's own one is created in the same JVM, as on Glue (whose JVM also starts before the script).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from _lakehouse_runtime import lending
from _lakehouse_runtime.catalogs import changed_keys, map_to_local

CONF_ENV = "LAKEHOUSE_GLUE_SPARK_CONF"
_MARK = "__lakehouse_glue_runtime__"


class RunDefaults:
    """The run's Spark defaults and where AWS catalogs are served, read once from the run's file."""

    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.spark_defaults: dict[str, str] = dict(data["spark_defaults"])
        self.rest_uri: str = data["rest_uri"]
        self.warehouse: str = data["warehouse"]
        self.glue_datacatalog: bool = bool(data.get("glue_datacatalog", False))
        self.datacatalog_registered = False

    def mapped(self, conf: dict[str, str]) -> dict[str, str]:
        return map_to_local(conf, rest_uri=self.rest_uri, warehouse=self.warehouse)


def _apply_to_conf(defaults: RunDefaults, conf: Any) -> None:
    """Fill and map a pyspark ``SparkConf`` in place (before or after the JVM exists)."""
    for key, value in defaults.spark_defaults.items():
        if not conf.contains(key):
            conf.set(key, value)
    current = dict(conf.getAll())
    mapped = defaults.mapped(current)
    for key in changed_keys(current, mapped):
        if key in mapped:
            conf.set(key, mapped[key])
        elif conf._jconf is not None:  # SparkConf has no public remove
            conf._jconf.remove(key)
        else:
            conf._conf.pop(key, None)
    if moved := [k for k in changed_keys(current, mapped) if k not in defaults.spark_defaults]:
        sys.stderr.write(f"[lakehouse] AWS settings served locally: {', '.join(moved)}\n")


class _Current:
    """The run the hook serves: set at install, replaced by a warm driver when its run arrives."""

    defaults: RunDefaults


_CURRENT = _Current()


def _wrap_context_new(context_class: type, original_init: Callable[..., None]) -> Callable[..., Any]:
    """``SparkContext(...)`` gives the lent context (a warm driver's) when it can serve what was asked."""
    signature = inspect.signature(original_init)

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        if cls is context_class and lending.lent() is not None:
            from pyspark.conf import SparkConf

            bound = signature.bind(None, *args, **kwargs)
            conf = bound.arguments.get("conf") or SparkConf()
            _apply_to_conf(_CURRENT.defaults, conf)  # what the context would be created with (as in init)
            adopted = lending.claim(conf, {k: v for k, v in bound.arguments.items() if k != "self"})
            if adopted is not None:
                return adopted
        return object.__new__(cls)

    setattr(new, _MARK, True)
    return new


def _wrap_context_init(original: Callable[..., None]) -> Callable[..., None]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        from pyspark.conf import SparkConf

        if lending.is_adopted(self):  # the lent context, given by __new__ above: already running
            return
        bound = signature.bind(self, *args, **kwargs)
        if bound.arguments.get("jsc") is None:  # a context wrapping an existing JVM one is left alone
            conf = bound.arguments.get("conf") or SparkConf()
            _apply_to_conf(_CURRENT.defaults, conf)
            bound.arguments["conf"] = conf
        original(*bound.args, **bound.kwargs)
        lending.created(self, bound.arguments.get("conf"))

    setattr(init, _MARK, True)
    return init


def _wrap_get_or_create(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get_or_create(self: Any) -> Any:
        defaults = _CURRENT.defaults
        options = {str(k): str(v) for k, v in self._options.items()}
        mapped = defaults.mapped(options)
        for key in changed_keys(options, mapped):
            if key in mapped:
                self._options[key] = mapped[key]
            else:
                self._options.pop(key, None)
        session = original(self)
        if defaults.glue_datacatalog and not defaults.datacatalog_registered:
            defaults.datacatalog_registered = True  # once per process, like Glue's metastore connection
            from _lakehouse_runtime.datacatalog import register_glue_tables

            register_glue_tables(session)
        return session

    setattr(get_or_create, _MARK, True)
    return get_or_create


def install(path: str | None = None, session_module: Any = None) -> bool:
    """Patch pyspark in this process (idempotent); False when this is not a lakehouse Glue run.

    ``session_module`` is ``pyspark.sql.session`` while it is being imported (``pyspark.sql``
    does not have ``SparkSession`` yet at that point)."""
    path = path or os.environ.get(CONF_ENV)
    if not path:
        return False
    if session_module is None:
        import pyspark.sql.session as session_module
    from pyspark.context import SparkContext

    if getattr(SparkContext.__init__, _MARK, False):
        return True
    _CURRENT.defaults = RunDefaults(path)
    SparkContext.__new__ = _wrap_context_new(SparkContext, SparkContext.__init__)  # type: ignore[method-assign]
    SparkContext.__init__ = _wrap_context_init(SparkContext.__init__)  # type: ignore[method-assign]
    builder = session_module.SparkSession.Builder
    builder.getOrCreate = _wrap_get_or_create(builder.getOrCreate)
    return True


def switch_run(path: str) -> None:
    """A warm driver's run arrived: from now on the hook gives sessions that run's defaults."""
    _CURRENT.defaults = RunDefaults(path)
