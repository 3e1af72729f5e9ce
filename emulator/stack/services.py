"""The embedded stack's services, declared once: their ports, health checks and port variables.

Kept free of the servers' imports (moto, pyiceberg, FastAPI): `just up`, `down` and `status` read
these without paying for what the services themselves load.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.settings import Settings


@dataclass(frozen=True)
class Service:
    name: str
    health_path: str  # answers 200 once the service serves requests
    port_variable: str  # the LAKEHOUSE_* setting that moves it

    def port(self, settings: Settings) -> int:
        return settings.aws_port if self.name == "aws" else settings.catalog_port

    def url(self, settings: Settings) -> str:
        return settings.aws_endpoint if self.name == "aws" else settings.catalog_uri

    def health_url(self, settings: Settings) -> str:
        return f"{self.url(settings)}{self.health_path}"


AWS_HEALTH_PATH = "/_lakehouse/health"
CATALOG_HEALTH_PATH = "/healthz"  # emulator/catalog/app.py's route
AWS = Service("aws", AWS_HEALTH_PATH, "LAKEHOUSE_AWS_PORT")
CATALOG = Service("catalog", CATALOG_HEALTH_PATH, "LAKEHOUSE_CATALOG_PORT")
EMBEDDED_SERVICES = (AWS, CATALOG)
BY_NAME = {service.name: service for service in EMBEDDED_SERVICES}
