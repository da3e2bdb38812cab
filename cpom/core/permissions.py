"""The permission vocabulary: the actions a role may be granted. Which role holds which is said in one place,
`cpom/accounts/permissions.py` (ROLE_RULES); the vocabulary lives here, in the ground floor, so that every app and
the access-policy registry (`policies.py`) can name a permission without importing the accounts app."""

from enum import StrEnum


class Perm(StrEnum):
    REGISTRY_VIEW = "registry.view"  # list and open services, their approvals and PPS
    REGISTRY_EDIT = "registry.edit"  # register a service, edit it, record an approval
    REGISTRY_SUMMARY = "registry.summary"  # aggregated counts of the scope
    ORGANISATIONS_VIEW = "organisations.view"
    CONTRACT_VIEW = "contracts.view"  # read the contracts of the scope (social partners: signed ones only)
    CONTRACT_EDIT = "contracts.edit"  # draft, send for consultation, record signatures, amendments, termination
    CONTRACT_COMMENT = "contracts.comment"  # a service comments the drafts of its own contracts
    CONTRACT_OPINION = "contracts.opinion"  # the ARS records its opinion (R4)
    CONTRACT_SIGN = "contracts.sign"  # sign a contract or an amendment for one's own organisation, when it is a party
    REPORT_VIEW = "reports.view"  # read the annual reports of the scope
    REPORT_FILL = "reports.fill"  # a service fills and submits its own reports
    REPORT_REVIEW = "reports.review"  # validate, return, reopen (DREETS and caisse agents)
    DASHBOARD_VIEW = "dashboards.view"  # consolidated figures of the scope (regional or national)
    CAMPAIGN_EDIT = "campaigns.edit"  # the regional frame: priority themes, thematic groups, regional indicators
    HISTORY_VIEW = "history.view"  # read the change journal of contracts and registry services (agents)
    ADMIN_SITE = "admin.site"
    PEOPLE_MANAGE = "people.manage"  # invite people, change their roles, deactivate accounts (own organisation)
