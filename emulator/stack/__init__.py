"""The embedded profile: both services as host processes, supervised from the CLI."""
