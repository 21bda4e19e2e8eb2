"""The bodies the items API accepts and returns, with the limits it enforces.

The OpenAPI document is the contract: a body its JSON Schema allows is accepted, and one it
refuses is refused, so each rule below is one the schema can say.
"""

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000
MAX_PRICE_CENTS = 1_000_000_000

# Control characters have no place in text meant for people, and PostgreSQL refuses NUL. A
# name is one line: no line or paragraph separator either. A description may hold tabs and
# line breaks.
NOT_IN_A_NAME = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
NOT_IN_A_DESCRIPTION = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# The rest of what `str.strip()` removes: a name may hold these, but not only these.
SPACES = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"

# Surrounding spaces are trimmed; the limits count what was sent, as the schema does, and
# there must be something left.
ItemName = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        pattern=rf"^[^{NOT_IN_A_NAME}]*[^{NOT_IN_A_NAME}{SPACES}][^{NOT_IN_A_NAME}]*$",
    ),
    AfterValidator(str.strip),
]
ItemDescription = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX_LENGTH, pattern=rf"^[^{NOT_IN_A_DESCRIPTION}]*$"),
]


def _whole_number_as_int(value: object) -> object:
    # JSON Schema counts 100.0 and 1e3 as integers, so the API takes them; 1.5 stays refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Strict otherwise: a price is a number, not true or "100".
PriceCents = Annotated[
    int,
    Field(strict=True, ge=0, le=MAX_PRICE_CENTS, description="Price in cents."),
    BeforeValidator(_whole_number_as_int),
]


def _never_null(schema: dict[str, Any]) -> None:
    """Document a field that may be left out but not sent as null: its type without the null."""
    branches = schema.pop("anyOf")
    schema.update(next(branch for branch in branches if branch.get("type") != "null"))
    schema.pop("default", None)


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ItemName
    description: ItemDescription | None = None
    price_cents: PriceCents


class ItemUpdate(BaseModel):
    """A partial update: fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    # `X | None` keeps one error per field (pydantic reports each branch of any other union);
    # null is refused below and left out of the OpenAPI document.
    name: ItemName | None = Field(default=None, json_schema_extra=_never_null)
    description: ItemDescription | None = None
    price_cents: PriceCents | None = Field(default=None, json_schema_extra=_never_null)

    @field_validator("name", "price_cents")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields that were sent: leaving one out is fine, sending null is not.
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    price_cents: int


class ItemList(BaseModel):
    items: list[ItemRead]
    total: int
    offset: int
    limit: int
