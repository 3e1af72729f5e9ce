"""Scaffolding: a new job (``just new-job``) and generated manifests for scale tests (``many_jobs``)."""
