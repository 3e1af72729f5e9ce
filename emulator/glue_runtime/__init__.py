"""Glue 5.1's runtime for the lakehouse's job runs, provided from outside the script as Glue does.

- :mod:`.parameters`: Glue's special job parameters (``--conf``, ``--datalake-formats``, …) as data.
- :mod:`.spark_defaults`: the run's Spark defaults (S3 through S3A at the lakehouse, Iceberg, ``--conf``).
- :mod:`.python_env`: the job's Python: Glue's preinstalled modules, not the emulator's venv;
  ``--additional-python-modules`` installed into a cached target per requirement set.
- :mod:`.prepare`: everything a run needs before its process starts (artifacts, argv, environment).
- ``pythonpath/``: first on the job's ``PYTHONPATH``: the clean-room ``awsglue`` and the in-process
  hook (``sitecustomize``, ``_lakehouse_runtime``) that applies the Spark defaults to any session.
"""

from pathlib import Path

PYTHONPATH_DIR = Path(__file__).with_name("pythonpath")
