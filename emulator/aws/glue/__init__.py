"""Glue job runs that run the deployed script with local Spark (moto stores the job definitions)."""
