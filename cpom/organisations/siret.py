"""SIRET checks: 14 digits and the Luhn key (La Poste's establishments use their own key)."""

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"  # La Poste's head office keeps the ordinary Luhn key


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_error(value: str) -> str | None:
    """Return a French explanation of what is wrong with `value`, or None when it is a valid SIRET."""
    if len(value) != 14 or not value.isdigit():
        return f"Le SIRET « {value} » doit compter exactement 14 chiffres."
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        if sum(int(c) for c in value) % 5 == 0:
            return None
        return f"Le SIRET « {value} » n'a pas une clé de contrôle valide."
    if not luhn_is_valid(value):
        return f"Le SIRET « {value} » n'a pas une clé de contrôle valide (clé de Luhn)."
    return None


def normalise_siret(value: str) -> str:
    return "".join(value.split())


def luhn_complete(prefix13: str) -> str:
    """Append the check digit that makes a 13-digit prefix a valid SIRET (used by the demo generator)."""
    for digit in "0123456789":
        if luhn_is_valid(prefix13 + digit):
            return prefix13 + digit
    raise AssertionError("unreachable")
