"""Schemas shared by every router: one name, one shape in the OpenAPI document."""

from ninja import Schema


class Error(Schema):
    """A refusal: the French message, the rule of DESIGN §3 when one applies, the offending field if any."""

    detail: str
    rule: str | None = None
    field: str | None = None
