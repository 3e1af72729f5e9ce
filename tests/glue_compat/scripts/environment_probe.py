"""Reports which modules a job can import: Glue's libraries yes, the emulator's own venv no."""

import importlib.util
import json

MODULES = ["awsglue", "pyspark", "boto3", "moto", "fastapi", "duckdb", "uvicorn"]
print(json.dumps({name: importlib.util.find_spec(name) is not None for name in MODULES}, sort_keys=True))
