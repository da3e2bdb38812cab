from django import template
from django.utils.html import format_html, format_html_join

from cpom.organisations.enums import ApprovalStatus

register = template.Library()

_BADGES = {
    ApprovalStatus.VALID: ("success", "Agrément en cours"),
    ApprovalStatus.EXPIRING: ("warning", "Échéance dans les 6 mois"),
    ApprovalStatus.EXPIRED: ("error", "Agrément expiré"),
    ApprovalStatus.NONE: ("info", "Sans agrément"),
}


@register.simple_tag
def approval_badge(status: str, conditional: bool = False):
    badges = [_BADGES.get(status, ("info", status))]
    if conditional and status in (ApprovalStatus.VALID, ApprovalStatus.EXPIRING):
        badges.append(("new", "Conditionnel"))
    items = format_html_join("", '<li><p class="fr-badge fr-badge--sm fr-badge--{}">{}</p></li>', badges)
    return format_html('<ul class="fr-badges-group">{}</ul>', items)
