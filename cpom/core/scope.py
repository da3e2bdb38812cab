"""What part of the country a user may see. Computed from the user's role (accounts.permissions) and
read by every scoped queryset (`.visible_to(user)`), so that pages, exports and the API agree."""

from dataclasses import dataclass, field
from enum import StrEnum


class ScopeKind(StrEnum):
    NATION = "nation"
    REGION = "region"
    DEPARTMENTS = "departments"  # a caisse's area, which is not a region
    SPSTI = "spsti"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    region_code: str | None = None
    department_codes: frozenset[str] = field(default_factory=frozenset)
    spsti_id: int | None = None

    @classmethod
    def nothing(cls) -> "Scope":
        return cls(ScopeKind.NOTHING)

    @property
    def is_nation(self) -> bool:
        return self.kind == ScopeKind.NATION
