"""The regional frame of a contracting round: priority themes validated by the CRPST, thematic groups and their
toolbox, regional indicators added to the national catalogue. Set by the regional cell (pilot)."""

import datetime as dt

from django.db import transaction

from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.core.scope import ScopeKind
from cpom.indicators.enums import IndicatorLevel, IndicatorScope, ThemeScope, ValueType
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.selectors import regions_in_scope
from cpom.territory.models import Region

from .models import Campaign, ThematicGroup, ToolboxDocument


def campaigns_visible_to(user):
    scope = user.scope
    if scope.kind == ScopeKind.NATION:
        return Campaign.objects.all()
    if scope.region_code:
        return Campaign.objects.filter(region_id=scope.region_code)
    if scope.kind == ScopeKind.DEPARTMENTS:  # a caisse: the regional frames of the regions its departments touch
        return Campaign.objects.filter(region__in=regions_in_scope(user))
    return Campaign.objects.none()


def _require_pilot(by, region_id: str) -> None:
    if not by.can(Perm.CAMPAIGN_EDIT):
        raise DomainError("Seule la cellule régionale (pilote) fixe le cadre régional de la campagne.")
    if not by.scope.is_nation and by.scope.region_code != region_id:
        raise DomainError("Cette région n'est pas dans votre périmètre.")


@transaction.atomic
def open_campaign(*, by, region: Region, generation: int, title: str, on: dt.date) -> Campaign:
    _require_pilot(by, region.code)
    if generation < 1:
        raise DomainError("La génération commence à 1.", field="generation")
    if Campaign.objects.filter(region=region, generation=generation).exists():
        raise DomainError(f"La campagne de génération {generation} existe déjà pour {region}.", field="generation")
    if not title.strip():
        raise DomainError("Donnez un intitulé à la campagne.", field="title")
    return Campaign.objects.create(region=region, generation=generation, title=title.strip(), opened_on=on)


@transaction.atomic
def set_priority_themes(*, by, campaign: Campaign, themes: list[Theme], crpst_validated_on: dt.date | None) -> Campaign:
    _require_pilot(by, campaign.region_id)
    if not themes:
        raise DomainError("Retenez au moins une thématique prioritaire.", field="themes")
    wrong = [t for t in themes if t.scope != ThemeScope.PREVENTION]
    if wrong:
        raise DomainError(
            f"« {wrong[0].label} » n'est pas une thématique de prévention des risques (volet 2).", field="themes"
        )
    if crpst_validated_on and crpst_validated_on < campaign.opened_on:
        raise DomainError("La validation par le CRPST ne peut précéder l'ouverture de la campagne.", field="crpst")
    campaign.priority_themes.set(themes)
    campaign.crpst_validated_on = crpst_validated_on
    campaign.save(update_fields=["crpst_validated_on"])
    return campaign


@transaction.atomic
def add_group(*, by, campaign: Campaign, title: str, theme: Theme | None, pilot, members: list) -> ThematicGroup:
    _require_pilot(by, campaign.region_id)
    if not title.strip():
        raise DomainError("Donnez un intitulé au groupe.", field="title")
    for organisation in [pilot, *members]:
        if organisation.region_id not in (None, campaign.region_id):
            raise DomainError(f"{organisation} n'est pas de la région {campaign.region}.", field="members")
    group = ThematicGroup.objects.create(campaign=campaign, title=title.strip(), theme=theme, pilot=pilot)
    group.members.set(members)
    return group


@transaction.atomic
def add_document(*, by, group: ThematicGroup, kind: str, title: str, link: str = "", description: str = ""):
    _require_pilot(by, group.campaign.region_id)
    if not title.strip():
        raise DomainError("Donnez un titre au document.", field="title")
    if not link.strip() and not description.strip():
        raise DomainError("Indiquez l'adresse du document ou décrivez-le.", field="link")
    return ToolboxDocument.objects.create(
        group=group, kind=kind, title=title.strip(), link=link.strip(), description=description.strip()
    )


@transaction.atomic
def add_regional_indicator(
    *,
    by,
    region: Region,
    code: str,
    label: str,
    themes: list[Theme],
    value_type: str = ValueType.INTEGER,
    level: str = IndicatorLevel.MEANS,
    parent: Indicator | None = None,
) -> Indicator:
    _require_pilot(by, region.code)
    code = code.strip().upper()
    if not code or not code.replace("_", "").isalnum():
        raise DomainError("Le code d'un indicateur s'écrit en lettres, chiffres et « _ ».", field="code")
    if Indicator.objects.filter(code=code).exists():
        raise DomainError(f"Le code « {code} » est déjà pris dans le catalogue.", field="code")
    if not label.strip():
        raise DomainError("Donnez un libellé à l'indicateur.", field="label")
    if not themes:
        raise DomainError("Rattachez l'indicateur à au moins une thématique.", field="themes")
    if parent is not None and parent.value_type != ValueType.INTEGER:
        raise DomainError("Un sous-total « dont » se rattache à un indicateur numérique.", field="parent")
    indicator = Indicator.objects.create(
        code=code,
        label=label.strip(),
        scope=IndicatorScope.REGIONAL,
        region=region,
        value_type=value_type,
        level=level,
        parent=parent,
        rule="<= parent" if parent else (">= 0" if value_type == ValueType.INTEGER else ""),
        source=f"Cadre régional {region}",
    )
    indicator.themes.set(themes)
    return indicator
