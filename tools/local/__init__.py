"""Running jobs locally: ``just run`` (a script as Glue calls it, no servers: ``run_job``), ``just glue-run``
(a Glue job run on the lakehouse: ``glue_run``), ``just pipeline`` (``pipeline``) and ``just demo``."""
