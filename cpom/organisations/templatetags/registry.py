from django import template
from django.utils.html import format_html

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
    kind, label = _BADGES.get(status, ("info", status))
    badge = format_html('<p class="fr-badge fr-badge--sm fr-badge--{}">{}</p>', kind, label)
    if conditional and status in (ApprovalStatus.VALID, ApprovalStatus.EXPIRING):
        badge += format_html('<p class="fr-badge fr-badge--sm fr-badge--new">Conditionnel</p>')
    return format_html('<div class="fr-badges-group">{}</div>', badge)
