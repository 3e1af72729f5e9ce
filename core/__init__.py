"""domain-project core: the shared library every Glue job imports (shipped as a wheel).

Modules: ``config`` (get_config), ``spark_session`` (get_spark), ``args`` (Glue job
arguments), ``job`` (start_job), ``logging``, ``readers``, ``writers``, ``iceberg``,
``jars``, ``exceptions``. Importing ``core`` starts nothing: no Spark, no I/O.
"""

__version__ = "0.1.0"
