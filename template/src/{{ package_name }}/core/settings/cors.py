"""CORS's section of the settings: which browser origins may call the API."""

import re
from typing import Annotated

from pydantic import BaseModel, field_validator
from pydantic_settings import NoDecode

# What a browser sends as Origin: a scheme, a host and maybe a port; no path, not even "/".
ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+", re.IGNORECASE)
ANY_ORIGIN = "*"


class CorsSettings(BaseModel):
    # Origins whose pages' scripts may call the API, comma-separated ("*": any origin). None by
    # default: no CORS headers at all, so browsers keep other sites' scripts from reading answers.
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins_on_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _refuse_what_is_not_an_origin(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != ANY_ORIGIN and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port], like "
                    "https://app.example.com, with no path and no final '/'"
                )
        return origins
