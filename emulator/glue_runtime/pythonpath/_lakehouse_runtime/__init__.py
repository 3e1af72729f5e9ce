"""The local lakehouse's side of a Glue job run, inside the job's own process.

Glue gives every job run its Spark environment from outside the script; locally this package
does the same: ``sitecustomize`` (next to it on the job's ``PYTHONPATH``) installs
:mod:`_lakehouse_runtime.session_hook` when the run's Spark defaults are named by
``LAKEHOUSE_GLUE_SPARK_CONF``. Nothing here is imported by a script, and nothing runs outside a
Glue job run of the lakehouse.
"""
