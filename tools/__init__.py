"""Repository tooling (not shipped in the wheel), one package per concern; ``python -m tools`` runs them.

- ``manifest/``: the job manifests' model, loading, validation (``just validate``) and ``just graph``
- ``scaffold/``: ``just new-job``, and generated manifests for scale tests (``many-jobs``)
- ``data/``: sample data and ``just seed``, ``just gen-data``, the lakehouse's tables read from the host
- ``local/``: ``just run`` (no servers), ``just glue-run``, ``just pipeline``, ``just demo``
- ``deploy/``: Terraform, the only deployer: ``just push``, ``just deploy-local``, ``just tf-*``
- ``commands.py``: every command's name and module, the one entry point the Justfile calls
"""
