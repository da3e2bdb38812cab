"""The one place that says what each role may see and do.

Scope (which rows) comes from the role and the user's organisation; permissions (which actions) from the
role alone. Scoped querysets (`.visible_to(user)`) read `user.scope`; views check `user.can(Perm.X)`.
"""

from dataclasses import dataclass

from cpom.core.permissions import Perm
from cpom.core.scope import Scope, ScopeKind
from cpom.organisations.enums import OrganisationKind

from .enums import Role

# Granted by the manager flag of an account (User.is_manager), whatever its role: the organisation's own manager.
MANAGER_PERMS = frozenset({Perm.PEOPLE_MANAGE})


@dataclass(frozen=True)
class RoleRule:
    organisation_kinds: frozenset[OrganisationKind]
    perms: frozenset[Perm]
    organisation_required: bool = True


_READ = {Perm.REGISTRY_VIEW, Perm.REGISTRY_SUMMARY, Perm.ORGANISATIONS_VIEW}
_AGENT_READ = _READ | {Perm.DASHBOARD_VIEW, Perm.HISTORY_VIEW}

ROLE_RULES: dict[Role, RoleRule] = {
    Role.SPSTI_REFERENT: RoleRule(
        frozenset({OrganisationKind.SPSTI}),
        frozenset(
            _READ | {Perm.CONTRACT_VIEW, Perm.CONTRACT_COMMENT, Perm.CONTRACT_SIGN, Perm.REPORT_VIEW, Perm.REPORT_FILL}
        ),
    ),
    Role.DREETS_AGENT: RoleRule(
        frozenset({OrganisationKind.DREETS}),
        frozenset(
            _AGENT_READ
            | {Perm.REGISTRY_EDIT, Perm.CONTRACT_VIEW, Perm.CONTRACT_EDIT, Perm.CONTRACT_SIGN}
            | {Perm.REPORT_VIEW, Perm.REPORT_REVIEW}
        ),
    ),
    Role.CAISSE_AGENT: RoleRule(
        frozenset({OrganisationKind.CAISSE}),
        frozenset(
            _AGENT_READ
            | {Perm.CONTRACT_VIEW, Perm.CONTRACT_EDIT, Perm.CONTRACT_SIGN, Perm.REPORT_VIEW, Perm.REPORT_REVIEW}
        ),
    ),
    Role.REGIONAL_PILOT: RoleRule(
        frozenset({OrganisationKind.DREETS}),
        frozenset(_AGENT_READ | {Perm.CONTRACT_VIEW, Perm.CAMPAIGN_EDIT, Perm.REPORT_VIEW}),
    ),
    Role.ARS_READER: RoleRule(
        frozenset({OrganisationKind.ARS}), frozenset(_AGENT_READ | {Perm.CONTRACT_VIEW, Perm.CONTRACT_OPINION})
    ),
    # Social partners read aggregated figures only (DESIGN §2): no service file.
    Role.SOCIAL_PARTNER: RoleRule(
        frozenset({OrganisationKind.CRPST, OrganisationKind.CNPST}),
        frozenset({Perm.REGISTRY_SUMMARY, Perm.ORGANISATIONS_VIEW, Perm.CONTRACT_VIEW, Perm.DASHBOARD_VIEW}),
    ),
    Role.NATIONAL: RoleRule(
        frozenset({OrganisationKind.DGT, OrganisationKind.CNAM}),
        frozenset(_AGENT_READ | {Perm.CONTRACT_VIEW, Perm.REPORT_VIEW}),
    ),
    Role.ADMIN: RoleRule(
        frozenset(OrganisationKind),
        frozenset(
            _AGENT_READ
            | {Perm.REGISTRY_EDIT, Perm.ADMIN_SITE, Perm.CONTRACT_VIEW, Perm.CONTRACT_EDIT, Perm.CAMPAIGN_EDIT}
            | {Perm.PEOPLE_MANAGE}
            | {Perm.REPORT_VIEW, Perm.REPORT_REVIEW}
        ),
        False,
    ),
}

_NATIONAL_KINDS = {OrganisationKind.DGT, OrganisationKind.CNAM, OrganisationKind.CNPST}


def role_allows(role: str, perm: Perm) -> bool:
    rule = ROLE_RULES.get(Role(role)) if role in Role.values else None
    return bool(rule and perm in rule.perms)


def organisation_error(role: str, organisation) -> str | None:
    """French explanation when `organisation` cannot host an account of `role`, else None."""
    rule = ROLE_RULES[Role(role)]
    if organisation is None:
        return "Ce rôle exige une organisation de rattachement." if rule.organisation_required else None
    if organisation.kind not in rule.organisation_kinds:
        return (
            f"Le rôle « {Role(role).label} » ne peut pas être rattaché à « {organisation} » "
            f"({organisation.get_kind_display()})."
        )
    return None


def scope_for(*, role: str, organisation, caisse_departments: frozenset[str] = frozenset()) -> Scope:
    if role == Role.ADMIN:
        return Scope(ScopeKind.NATION)
    if organisation is None or organisation_error(role, organisation):
        return Scope.nothing()
    if organisation.kind in _NATIONAL_KINDS:
        return Scope(ScopeKind.NATION)
    if organisation.kind == OrganisationKind.SPSTI:
        return Scope(ScopeKind.SPSTI, region_code=organisation.region_id, spsti_id=organisation.pk)
    if organisation.kind == OrganisationKind.CAISSE:
        return Scope(ScopeKind.DEPARTMENTS, department_codes=caisse_departments)
    return Scope(ScopeKind.REGION, region_code=organisation.region_id)
