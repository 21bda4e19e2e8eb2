"""The API documentation's section of the settings."""

from pydantic import BaseModel


class DocsSettings(BaseModel):
    # Serve /docs, /redoc and /openapi.json. Off (for a public production service): 404.
    docs_enabled: bool = True
