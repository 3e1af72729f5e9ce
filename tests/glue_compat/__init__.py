"""Glue compatibility suite: job scripts written the way AWS documents them, run through the Glue API."""
