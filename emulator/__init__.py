"""The local lakehouse: an Iceberg REST catalog and the AWS APIs, where Glue job runs really run.

``python -m emulator up|down|status|logs|reset`` runs it as host processes (the embedded
profile); the compose stack runs the same modules as container commands.
"""
