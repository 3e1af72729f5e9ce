"""An Iceberg REST catalog (the protocol Glue's Iceberg REST endpoint and iceberg-rest-fixture speak),
backed by pyiceberg's SqlCatalog on SQLite, with the warehouse on the emulator's S3 or a local path."""
