"""The lakehouse as a ``Stack`` (base.py): embedded host processes (supervisor.py) or containers
(compose.py), picked by profiles.py; the stack record with each process's identity (record.py,
identity.py) and the services' declarations (services.py). Nothing here imports what the services load."""
