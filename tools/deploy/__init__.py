"""Deploying with Terraform, the only deployer of AWS definitions: running it (``terraform``), the core
wheel (``wheel``), ``environments/local`` applied to the lakehouse (``lakehouse``: ``just push``,
``just deploy-local``), plans and saved-plan applies of an environment (``environments``)."""
