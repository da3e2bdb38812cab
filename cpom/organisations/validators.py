from django.core.exceptions import ValidationError

from .siret import siret_error


def validate_siret(value: str) -> None:
    message = siret_error(value)
    if message:
        raise ValidationError(message, code="invalid_siret")
