"""Pages of the regional frame (campaign): read by every contract reader of the region, set by its pilot."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cpom.core.decorators import require_perm
from cpom.core.pages import crumbs, submit
from cpom.core.permissions import Perm
from cpom.indicators.enums import IndicatorScope
from cpom.indicators.models import Indicator
from cpom.organisations.models import Organisation
from cpom.organisations.selectors import regions_in_scope

from . import campaigns
from .forms import CampaignForm, DocumentForm, GroupForm, PriorityThemesForm, RegionalIndicatorForm
from .models import Campaign, ThematicGroup


def _campaign(request, pk: int) -> Campaign:
    try:
        return campaigns.campaigns_visible_to(request.user).select_related("region").get(pk=pk)
    except Campaign.DoesNotExist as error:
        raise Http404("Campagne introuvable.") from error


def _list_crumb():
    return (reverse("contracts:campaign_list"), "Campagnes")


def _form(request, campaign: Campaign, form, *, title: str, submit_label: str, intro: str = ""):
    detail = reverse("contracts:campaign_detail", args=[campaign.pk])
    return render(
        request,
        "contracts/form.html",
        {
            "page_title": f"{title} — {campaign}",
            "heading": title,
            "intro": intro,
            "breadcrumb_data": crumbs(title, _list_crumb(), (detail, str(campaign))),
            "form": form,
            "submit_label": submit_label,
            "cancel_url": detail,
        },
    )


@require_perm(Perm.CONTRACT_VIEW)
def campaign_list(request):
    rows = campaigns.campaigns_visible_to(request.user).select_related("region").prefetch_related("priority_themes")
    return render(
        request,
        "contracts/campaign_list.html",
        {
            "page_title": "Campagnes de contractualisation",
            "breadcrumb_data": crumbs("Campagnes"),
            "campaigns": rows.order_by("region__name", "-generation"),
            "can_edit": request.user.can(Perm.CAMPAIGN_EDIT),
        },
    )


@require_perm(Perm.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    regions = list(regions_in_scope(request.user))
    form = CampaignForm(request.POST or None, regions=regions)
    by_code = {region.code: region for region in regions}
    campaign = submit(
        request,
        form,
        lambda data: campaigns.open_campaign(
            by=request.user,
            region=by_code[data["region"]],
            generation=data["generation"],
            title=data["title"],
            on=timezone.localdate(),
        ),
        "La campagne est ouverte : retenez ses thématiques prioritaires.",
    )
    if campaign:
        return redirect("contracts:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "contracts/form.html",
        {
            "page_title": "Ouvrir une campagne",
            "heading": "Ouvrir une campagne",
            "breadcrumb_data": crumbs("Nouvelle campagne", _list_crumb()),
            "form": form,
            "submit_label": "Ouvrir la campagne",
            "cancel_url": reverse("contracts:campaign_list"),
        },
    )


@require_perm(Perm.CONTRACT_VIEW)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    groups = (
        ThematicGroup.objects.filter(campaign=campaign)
        .select_related("theme", "pilot")
        .prefetch_related("members", "documents")
    )
    regional_indicators = (
        Indicator.objects.filter(scope=IndicatorScope.REGIONAL, region_id=campaign.region_id)
        .select_related("parent")
        .prefetch_related("themes")
        .order_by("code")
    )
    return render(
        request,
        "contracts/campaign_detail.html",
        {
            "page_title": str(campaign),
            "breadcrumb_data": crumbs(str(campaign), _list_crumb()),
            "campaign": campaign,
            "themes": campaign.priority_themes.order_by("code"),
            "groups": groups,
            "regional_indicators": regional_indicators,
            "can_edit": request.user.can(Perm.CAMPAIGN_EDIT),
        },
    )


@require_perm(Perm.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def priority_themes(request, pk: int):
    campaign = _campaign(request, pk)
    form = PriorityThemesForm(
        request.POST or None,
        initial={"themes": list(campaign.priority_themes.all()), "crpst_validated_on": campaign.crpst_validated_on},
    )
    done = submit(
        request,
        form,
        lambda data: campaigns.set_priority_themes(by=request.user, campaign=campaign, **data),
        "Les thématiques prioritaires sont enregistrées.",
    )
    if done:
        return redirect("contracts:campaign_detail", pk=campaign.pk)
    return _form(
        request,
        campaign,
        form,
        title="Thématiques prioritaires régionales",
        submit_label="Enregistrer",
        intro="Un CPOM de troisième génération retient au moins une de ces thématiques (règle R5).",
    )


@require_perm(Perm.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def group_create(request, pk: int):
    campaign = _campaign(request, pk)
    organisations = Organisation.objects.filter(region_id=campaign.region_id) | Organisation.objects.filter(
        kind="caisse", departments__region_id=campaign.region_id
    )
    form = GroupForm(request.POST or None, organisations=organisations.distinct().order_by("kind", "name"))
    done = submit(
        request,
        form,
        lambda data: campaigns.add_group(by=request.user, campaign=campaign, members=list(data.pop("members")), **data),
        "Le groupe thématique est créé.",
    )
    if done:
        return redirect("contracts:campaign_detail", pk=campaign.pk)
    return _form(request, campaign, form, title="Nouveau groupe thématique", submit_label="Créer le groupe")


@require_perm(Perm.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def document_create(request, pk: int, group_pk: int):
    campaign = _campaign(request, pk)
    group = get_object_or_404(ThematicGroup, pk=group_pk, campaign=campaign)
    form = DocumentForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: campaigns.add_document(by=request.user, group=group, **data),
        "Le document est ajouté à la boîte à outils.",
    )
    if done:
        return redirect("contracts:campaign_detail", pk=campaign.pk)
    return _form(request, campaign, form, title=f"Boîte à outils — {group}", submit_label="Ajouter le document")


@require_perm(Perm.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk: int):
    campaign = _campaign(request, pk)
    form = RegionalIndicatorForm(request.POST or None, region=campaign.region)
    done = submit(
        request,
        form,
        lambda data: campaigns.add_regional_indicator(
            by=request.user, region=campaign.region, themes=list(data.pop("themes")), **data
        ),
        "L'indicateur régional est ajouté au catalogue.",
    )
    if done:
        return redirect("contracts:campaign_detail", pk=campaign.pk)
    return _form(request, campaign, form, title="Nouvel indicateur régional", submit_label="Ajouter au catalogue")
