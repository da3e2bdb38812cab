from django import template
from django.utils.html import format_html

from cpom.contracts.enums import ContractStatus

register = template.Library()

_BADGES = {
    ContractStatus.DRAFT: "info",
    ContractStatus.CONSULTATION: "new",
    ContractStatus.READY: "warning",
    ContractStatus.IN_FORCE: "success",
    ContractStatus.EXPIRED: "",
    ContractStatus.TERMINATED: "error",
}


@register.simple_tag
def contract_badge(status: str):
    kind = _BADGES.get(status, "")
    css = f"fr-badge fr-badge--sm fr-badge--{kind}" if kind else "fr-badge fr-badge--sm"
    return format_html('<p class="{}">{}</p>', css, ContractStatus(status).label)
