"""Repository tooling (not shipped in the wheel): manifests, local runs, demo, data generation."""
