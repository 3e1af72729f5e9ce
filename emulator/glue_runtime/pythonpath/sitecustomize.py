"""Imported by Python at start-up in a lakehouse Glue job run (this folder is first on its path).

It only arranges for the run's Spark environment hook to be installed when the script imports
pyspark; outside a run (no LAKEHOUSE_GLUE_SPARK_CONF) it does nothing, and pyspark is never
imported here (that would cost every run, and plain Python scripts too).
"""

import os

if os.environ.get("LAKEHOUSE_GLUE_SPARK_CONF"):
    import importlib.abc
    import importlib.machinery
    import importlib.util
    import sys
    from collections.abc import Sequence
    from types import ModuleType

    class _InstallingLoader(importlib.abc.Loader):
        """Loads ``pyspark.sql.session`` with its own loader, then installs the hook on it."""

        def __init__(self, loader: importlib.abc.Loader) -> None:
            self._loader = loader

        def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
            return self._loader.create_module(spec)

        def exec_module(self, module: ModuleType) -> None:
            self._loader.exec_module(module)
            from _lakehouse_runtime.session_hook import install

            install(session_module=module)

    class _InstallWhenPysparkLoads(importlib.abc.MetaPathFinder):
        def find_spec(
            self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
        ) -> importlib.machinery.ModuleSpec | None:
            if name != "pyspark.sql.session" or self not in sys.meta_path:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.loader is not None:
                spec.loader = _InstallingLoader(spec.loader)
            return spec

    sys.meta_path.insert(0, _InstallWhenPysparkLoads())
