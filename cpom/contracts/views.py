"""Contract pages: parse, check permission and scope, call one lifecycle or service function, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from cpom.core.decorators import require_perm
from cpom.core.errors import DomainError
from cpom.core.journal import journal
from cpom.core.models import SubjectKind
from cpom.core.pages import crumbs, submit
from cpom.core.permissions import Perm
from cpom.notifications.services import history as message_history
from cpom.organisations.models import Spsti
from cpom.organisations.selectors import regions_in_scope

from . import lifecycle, selectors, services
from .attachments import AttachedDocument
from .campaigns import campaigns_visible_to
from .document import contract_docx as build_docx
from .enums import LIFECYCLE_STEPS, AmendmentStatus, ConsultedBody, ContractStatus, VersionStatus
from .forms import (
    ActionForm,
    AmendmentForm,
    AxisForm,
    CommentForm,
    CommitmentCatalogueForm,
    CommitmentForm,
    ContractFilterForm,
    ConventionForm,
    DraftForm,
    GeneralTermsForm,
    OpinionForm,
    SignatureForm,
    SpecificIndicatorForm,
    TargetsForm,
    TerminationForm,
    VersionCompareForm,
)
from .models import Action, Amendment, Axis, Commitment, Contract, ContractIndicator, ContractVersion
from .pdf import contract_pdf as build_pdf
from .sizing import contract_sizing
from .versions import current_hash, diff, snapshot, text_to_sign, version_label

PAGE_SIZE = 20
TABS = [
    ("parties", "Parties"),
    ("axes", "Axes et actions"),
    ("indicateurs", "Indicateurs et cibles"),
    ("engagements", "Engagements"),
    ("annexes", "Annexes"),
    ("signatures", "Consultations et signatures"),
    ("historique", "Historique"),
]


def _list_crumb() -> tuple[str, str]:
    return (reverse("contracts:contract_list"), "Contrats")


def _contract(request, pk: int) -> Contract:
    try:
        return selectors.contract_detail(request.user, pk)
    except Contract.DoesNotExist as error:
        raise Http404("Contrat introuvable.") from error


def _detail_url(contract: Contract, tab: str = "") -> str:
    url = reverse("contracts:contract_detail", args=[contract.pk])
    query = {"onglet": tab} if tab else {}
    if contract.status != ContractStatus.DRAFT and any(
        a.status == AmendmentStatus.OPEN for a in contract.amendments.all()
    ):
        query["texte"] = "avenant"  # back to the amendment's text being edited
    return f"{url}?{urlencode(query)}" if query else url


def _text_being_edited(contract: Contract):
    """The version a content form changes: the draft, or the open amendment's working copy (the version shown
    when neither may change — the service then refuses the save, naming the rule)."""
    try:
        return lifecycle.editable_version(contract)
    except DomainError:
        return contract.current_version


def _form_page(request, contract: Contract, form, *, title: str, submit_label: str, tab: str, intro: str = ""):
    return render(
        request,
        "contracts/form.html",
        {
            "page_title": f"{title} — {contract.reference}",
            "heading": title,
            "intro": intro,
            "breadcrumb_data": crumbs(title, _list_crumb(), (_detail_url(contract), contract.reference)),
            "form": form,
            "submit_label": submit_label,
            "cancel_url": _detail_url(contract, tab),
            "contract": contract,
        },
    )


# --- list and detail --------------------------------------------------------------------------------------------
@require_perm(Perm.CONTRACT_VIEW)
def contract_list(request):
    form = ContractFilterForm(request.GET or None, regions=list(regions_in_scope(request.user)))
    filters = selectors.ContractFilters(**form.cleaned_data) if form.is_valid() else selectors.ContractFilters()
    page = Paginator(selectors.contract_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page_title": "Contrats",
            "breadcrumb_data": crumbs("Contrats"),
            "form": form,
            "page_obj": page,
            "querystring": query.urlencode(),
            "can_create": request.user.can(Perm.CONTRACT_EDIT),
        },
    )


@require_perm(Perm.CONTRACT_VIEW)
def contract_detail(request, pk: int):
    contract = _contract(request, pk)
    tab = request.GET.get("onglet", "parties")
    if tab not in dict(TABS):
        tab = "parties"
    user = request.user
    can_edit = user.can(Perm.CONTRACT_EDIT)
    open_amendment = next((a for a in contract.amendments.all() if a.status == AmendmentStatus.OPEN), None)
    # The page shows the text in force (or the draft); an open amendment's proposed text is shown on request.
    proposed = selectors.amendment_text(contract) if open_amendment and request.GET.get("texte") == "avenant" else None
    text = proposed or contract.current_version
    try:
        editable = can_edit and lifecycle.editable_version(contract).pk == text.pk
    except DomainError:
        editable = False
    recorded_bodies = {c.body for c in contract.consultations.all()}
    step = contract.current_status if contract.current_status in LIFECYCLE_STEPS else ContractStatus.IN_FORCE
    own_party = next((p for p in contract.parties.all() if p.organisation_id == user.organisation_id), None)
    amendment_signed = {s.party_id for s in open_amendment.signatures.all()} if open_amendment else set()
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "page_title": contract.title,
            "breadcrumb_data": crumbs(contract.reference, _list_crumb()),
            "contract": contract,
            "text": text,
            "showing_proposal": proposed is not None,
            "tabs": [{"key": key, "label": label, "url": _tab_url(contract, key, proposed)} for key, label in TABS],
            "tab": tab,
            "steps": [s.label for s in LIFECYCLE_STEPS],
            "step_number": LIFECYCLE_STEPS.index(step) + 1,
            "step_label": ContractStatus(step).label,
            "next_step_label": (
                ContractStatus(LIFECYCLE_STEPS[LIFECYCLE_STEPS.index(step) + 1]).label
                if LIFECYCLE_STEPS.index(step) + 1 < len(LIFECYCLE_STEPS)
                else ""
            ),
            "can_edit": can_edit,
            "editable": editable,
            "open_amendment": open_amendment,
            "can_sign_contract": contract.status == ContractStatus.READY
            and (can_edit or (own_party and not own_party.signed_on and user.can(Perm.CONTRACT_SIGN))),
            "can_sign_amendment": open_amendment is not None
            and (can_edit or (own_party and own_party.pk not in amendment_signed and user.can(Perm.CONTRACT_SIGN))),
            "can_comment": (user.can(Perm.CONTRACT_COMMENT) or can_edit)
            and contract.status in (ContractStatus.DRAFT, ContractStatus.CONSULTATION),
            "can_record_ars_opinion": user.can(Perm.CONTRACT_OPINION)
            and contract.status == ContractStatus.CONSULTATION
            and ConsultedBody.ARS not in recorded_bodies,
            "missing_bodies": [label for value, label in ConsultedBody.choices if value not in recorded_bodies],
            "rule_errors": lifecycle.third_generation_errors(contract, text) if editable else [],
            "comment_form": CommentForm(),
            "journal": list(journal(SubjectKind.CONTRACT, contract.pk))
            if tab == "historique" and user.can(Perm.HISTORY_VIEW)
            else None,
            "sent_messages": list(message_history("contract", contract.pk))
            if tab == "historique" and user.can(Perm.HISTORY_VIEW)
            else None,
            "sizing": contract_sizing(contract),
            "document_available": True,
            "statuses": ContractStatus,
        },
    )


def _tab_url(contract: Contract, tab: str, proposed) -> str:
    url = reverse("contracts:contract_detail", args=[contract.pk])
    return f"{url}?{urlencode({'onglet': tab} | ({'texte': 'avenant'} if proposed else {}))}"


# --- creation and content ---------------------------------------------------------------------------------------
@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def contract_create(request):
    today = timezone.localdate()
    services = (
        Spsti.objects.visible_to(request.user)
        .active()
        .with_current_approval(on=today)
        .select_related("headquarters_department")
        .order_by("name", "siret")
    )
    # The picker's filter (a GET form: it works without JavaScript; with it, the list filters as one types).
    query = request.GET.get("q", "").strip()[:100] if request.method == "GET" else ""
    shown = services
    if query:
        by_department = services.filter(headquarters_department__code=query.upper()) if len(query) <= 3 else None
        shown = services.search(query) if by_department is None else (services.search(query) | by_department)
    form = DraftForm(
        request.POST or None,
        services=shown,
        campaigns=campaigns_visible_to(request.user).select_related("region"),
    )
    contract = submit(
        request,
        form,
        lambda data: lifecycle.create_draft(
            by=request.user,
            services=list(data["services"]),
            campaign=data["campaign"],
            generation=data["generation"],
            on=today,
        ),
        "Le projet de contrat est créé : ses parties viennent du registre (règle R1).",
    )
    if contract:
        return redirect(_detail_url(contract))
    return render(
        request,
        "contracts/create.html",
        {
            "page_title": "Nouveau contrat",
            "breadcrumb_data": crumbs("Nouveau contrat", _list_crumb()),
            "form": form,
            "query": query,
            "shown": len(form.fields["services"].choices),
        },
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def general_terms(request, pk: int):
    contract = _contract(request, pk)
    text = _text_being_edited(contract)
    form = GeneralTermsForm(
        request.POST or None,
        initial={name: getattr(contract, name) for name in ("title", "planned_end", "signature_place")}
        | {name: getattr(text, name) for name in ("context", "general_objectives", "pdp_cell_composition")},
    )
    done = submit(
        request,
        form,
        _guarded(
            request,
            contract,
            lambda data: services.update_general_terms(
                by=request.user, contract=contract, terms=services.GeneralTerms(**data), on=timezone.localdate()
            ),
        ),
        "Les clauses générales sont enregistrées.",
    )
    if done:
        return redirect(_detail_url(contract, "parties"))
    return _form_page(request, contract, form, title="Clauses générales", submit_label="Enregistrer", tab="parties")


def _action_data(data: dict) -> services.ActionData:
    return services.ActionData(**data)


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def action_create(request, pk: int, axis_pk: int):
    contract = _contract(request, pk)
    axis = get_object_or_404(Axis, pk=axis_pk, version__contract=contract)
    form = ActionForm(request.POST or None, contract=contract)
    done = submit(
        request,
        form,
        _guarded(
            request, contract, lambda data: services.save_action(by=request.user, axis=axis, data=_action_data(data))
        ),
        "La fiche action est ajoutée.",
    )
    if done:
        return redirect(_detail_url(contract, "axes"))
    return _form_page(
        request, contract, form, title=f"Nouvelle fiche action — axe {axis.number}", submit_label="Ajouter", tab="axes"
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def action_update(request, pk: int, action_pk: int):
    contract = _contract(request, pk)
    action = get_object_or_404(Action, pk=action_pk, axis__version__contract=contract)
    initial = {
        name: getattr(action, name)
        for name in ("title", "theme", "objective", "method", "calendar", "means_spsti", "means_state", "means_caisse")
    } | {
        "prst_actions": list(action.prst_actions.all()),
        "pps_priorities": list(action.pps_priorities.all()),
        "cog_programmes": list(action.cog_programmes.all()),
    }
    form = ActionForm(request.POST or None, initial=initial, contract=contract)
    done = submit(
        request,
        form,
        _guarded(
            request,
            contract,
            lambda data: services.save_action(
                by=request.user, axis=action.axis, data=_action_data(data), action=action
            ),
        ),
        "La fiche action est enregistrée.",
    )
    if done:
        return redirect(_detail_url(contract, "axes"))
    return _form_page(request, contract, form, title=f"Fiche action {action}", submit_label="Enregistrer", tab="axes")


@require_perm(Perm.CONTRACT_EDIT)
@require_POST
def action_delete(request, pk: int, action_pk: int):
    contract = _contract(request, pk)
    action = get_object_or_404(Action, pk=action_pk, axis__version__contract=contract)
    _run(
        request,
        _guarded(request, contract, lambda: services.delete_action(by=request.user, action=action)),
        "La fiche action est supprimée.",
    )
    return redirect(_detail_url(contract, "axes"))


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def axis_create(request, pk: int):
    contract = _contract(request, pk)
    form = AxisForm(request.POST or None)
    done = submit(
        request,
        form,
        _guarded(request, contract, lambda data: services.add_axis(by=request.user, contract=contract, **data)),
        "L'axe est ajouté.",
    )
    if done:
        return redirect(_detail_url(contract, "axes"))
    return _form_page(request, contract, form, title="Nouvel axe", submit_label="Ajouter", tab="axes")


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def axis_update(request, pk: int, axis_pk: int):
    contract = _contract(request, pk)
    axis = get_object_or_404(Axis, pk=axis_pk, version__contract=contract)
    form = AxisForm(request.POST or None, initial={"title": axis.title, "description": axis.description})
    done = submit(
        request,
        form,
        _guarded(request, contract, lambda data: services.update_axis(by=request.user, axis=axis, **data)),
        "L'axe est enregistré.",
    )
    if done:
        return redirect(_detail_url(contract, "axes"))
    return _form_page(request, contract, form, title=f"Axe {axis.number}", submit_label="Enregistrer", tab="axes")


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def commitments_from_catalogue(request, pk: int):
    contract = _contract(request, pk)
    form = CommitmentCatalogueForm(request.POST or None)
    done = submit(
        request,
        form,
        _guarded(
            request,
            contract,
            lambda data: services.add_commitments_from_catalogue(
                by=request.user, contract=contract, templates=list(data["templates"])
            ),
        ),
        "Les engagements choisis sont ajoutés ; vous pouvez les reformuler.",
    )
    if done:
        return redirect(_detail_url(contract, "engagements"))
    return _form_page(
        request,
        contract,
        form,
        title="Choisir des engagements dans le catalogue",
        submit_label="Ajouter les engagements choisis",
        tab="engagements",
        intro="Le catalogue reprend les engagements types du cadre régional ; chacun reste modifiable ensuite.",
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int, commitment_pk: int | None = None):
    contract = _contract(request, pk)
    commitment = get_object_or_404(Commitment, pk=commitment_pk, version__contract=contract) if commitment_pk else None
    initial = (
        {"party_role": commitment.party_role, "category": commitment.category, "text": commitment.text}
        if commitment
        else {}
    )
    form = CommitmentForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        _guarded(
            request,
            contract,
            lambda data: services.save_commitment(by=request.user, contract=contract, commitment=commitment, **data),
        ),
        "L'engagement est enregistré.",
    )
    if done:
        return redirect(_detail_url(contract, "engagements"))
    title = "Modifier l'engagement" if commitment else "Nouvel engagement"
    return _form_page(request, contract, form, title=title, submit_label="Enregistrer", tab="engagements")


@require_perm(Perm.CONTRACT_EDIT)
@require_POST
def commitment_delete(request, pk: int, commitment_pk: int):
    contract = _contract(request, pk)
    commitment = get_object_or_404(Commitment, pk=commitment_pk, version__contract=contract)
    _run(
        request,
        _guarded(request, contract, lambda: services.delete_commitment(by=request.user, commitment=commitment)),
        "L'engagement est retiré.",
    )
    return redirect(_detail_url(contract, "engagements"))


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk: int):
    contract = _contract(request, pk)
    form = SpecificIndicatorForm(request.POST or None)
    done = submit(
        request,
        form,
        _guarded(
            request, contract, lambda data: services.add_specific_indicator(by=request.user, contract=contract, **data)
        ),
        "L'indicateur propre au contrat est ajouté.",
    )
    if done:
        return redirect(_detail_url(contract, "indicateurs"))
    return _form_page(
        request, contract, form, title="Indicateur propre au contrat", submit_label="Ajouter", tab="indicateurs"
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def targets_edit(request, pk: int, row_pk: int):
    contract = _contract(request, pk)
    row = get_object_or_404(
        ContractIndicator.objects.select_related("indicator", "theme"), pk=row_pk, version__contract=contract
    )
    first = (contract.start or contract.negotiation_started_on).year
    last = (contract.end or contract.planned_end or contract.negotiation_started_on.replace(year=first + 4)).year
    form = TargetsForm(
        request.POST or None,
        years=list(range(first, last + 1)),
        initial_targets={target.year: target.value for target in row.targets.all()},
    )
    done = submit(
        request,
        form,
        _guarded(
            request, contract, lambda data: services.set_targets(by=request.user, row=row, targets=form.targets())
        ),
        "Les cibles sont enregistrées.",
    )
    if done:
        return redirect(_detail_url(contract, "indicateurs"))
    label = row.indicator.label + (f" — {row.theme.label}" if row.theme else "")
    return _form_page(
        request,
        contract,
        form,
        title=f"Cibles : {label}",
        submit_label="Enregistrer les cibles",
        tab="indicateurs",
        intro="Les cibles sont facultatives (règle R13) ; laissez vide une année sans cible.",
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def convention_create(request, pk: int):
    contract = _contract(request, pk)
    form = ConventionForm(request.POST or None, contract=contract)
    done = submit(
        request,
        form,
        _guarded(request, contract, lambda data: services.add_convention(by=request.user, contract=contract, **data)),
        "La convention bilatérale est annexée au contrat.",
    )
    if done:
        return redirect(_detail_url(contract, "annexes"))
    return _form_page(
        request,
        contract,
        form,
        title="Annexer une convention bilatérale",
        submit_label="Annexer",
        tab="annexes",
        intro="Les conventions bilatérales entre la caisse et le service figurent en annexe du contrat (règle R10).",
    )


@require_POST
def comment_create(request, pk: int):
    if not (request.user.can(Perm.CONTRACT_COMMENT) or request.user.can(Perm.CONTRACT_EDIT)):
        raise PermissionDenied("Votre rôle ne permet pas de commenter un contrat.")
    contract = _contract(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.add_comment(by=request.user, contract=contract, text=form.cleaned_data["text"]),
            "Votre commentaire est enregistré.",
        )
    else:
        messages.error(request, "Le commentaire est vide ou trop long (5 000 caractères au plus).")
    return redirect(_detail_url(contract, "historique"))


def _guarded(request, contract: Contract, action):
    """`action`, run only if the contract is still at the version the page was showing (the form's hidden
    `version` field), in the same transaction as the check: a second writer is told what changed meanwhile
    instead of silently overwriting it."""

    def run(*args):
        try:
            with transaction.atomic():
                lifecycle.check_version(contract, request.POST.get("version"))
                return action(*args)
        except DomainError:
            contract.refresh_from_db(fields=["version"])  # the form shown again carries the version now current
            raise

    return run


# --- transitions ------------------------------------------------------------------------------------------------
def _run(request, action, success: str) -> bool:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@require_perm(Perm.CONTRACT_EDIT)
@require_POST
def send_for_consultation(request, pk: int):
    contract = _contract(request, pk)
    _run(
        request,
        lambda: lifecycle.send_for_consultation(by=request.user, contract=contract, on=timezone.localdate()),
        "Le contrat est envoyé en consultation : enregistrez l'avis du CRPST et celui de l'ARS (règle R4).",
    )
    return redirect(_detail_url(contract, "signatures"))


@require_perm(Perm.CONTRACT_EDIT)
@require_POST
def back_to_negotiation(request, pk: int):
    contract = _contract(request, pk)
    _run(
        request,
        lambda: lifecycle.back_to_negotiation(by=request.user, contract=contract),
        "Le contrat revient en négociation ; les avis recueillis sont à redemander.",
    )
    return redirect(_detail_url(contract))


def _document(data: dict) -> AttachedDocument | None:
    upload = data.pop("document", None)
    return AttachedDocument(name=upload.name, data=upload.read()) if upload else None


@require_http_methods(["GET", "POST"])
def opinion_create(request, pk: int):
    user = request.user
    if not (user.can(Perm.CONTRACT_EDIT) or user.can(Perm.CONTRACT_OPINION)):
        raise PermissionDenied("Votre rôle ne permet pas d'enregistrer un avis.")
    contract = _contract(request, pk)
    bodies = [ConsultedBody.ARS] if not user.can(Perm.CONTRACT_EDIT) else list(ConsultedBody)
    form = OpinionForm(request.POST or None, request.FILES or None, bodies=bodies)
    done = submit(
        request,
        form,
        lambda data: lifecycle.record_opinion(by=user, contract=contract, document=_document(data), **data),
        "L'avis est enregistré.",
    )
    if done:
        return redirect(_detail_url(contract, "signatures"))
    return _form_page(
        request,
        contract,
        form,
        title="Enregistrer un avis",
        submit_label="Enregistrer l'avis",
        tab="signatures",
        intro="Avant signature, le CRPST est consulté et l'avis de l'ARS recueilli (règle R4) ; un avis n'est pas un "
        "veto. L'ARS rend son avis depuis son propre compte ; l'avis du CRPST est enregistré par son secrétariat, "
        "procès-verbal joint.",
    )


def _signing_parties(user, parties):
    """Who `user` may sign for: its own organisation when it is a party; any party for an agent (with the signed
    document, checked by the lifecycle)."""
    if user.can(Perm.CONTRACT_EDIT):
        return parties
    return parties.filter(organisation_id=user.organisation_id)


def _signature_initial(user, parties) -> dict:
    own = parties.filter(organisation_id=user.organisation_id).first()
    initial = {"signed_on": timezone.localdate()}
    if own is not None:
        initial["party"] = own.pk
        initial["signatory_title"] = own.signatory_title or f"{user.get_full_name()}".strip()
    return initial


@require_perm(Perm.CONTRACT_EDIT, Perm.CONTRACT_SIGN)
@require_http_methods(["GET", "POST"])
def signature_create(request, pk: int):
    user = request.user
    contract = _contract(request, pk)
    parties = _signing_parties(user, contract.parties.filter(signed_on__isnull=True))
    form = SignatureForm(
        request.POST or None, request.FILES or None, parties=parties, initial=_signature_initial(user, parties)
    )
    done = submit(
        request,
        form,
        lambda data: lifecycle.record_signature(by=user, contract=contract, document=_document(data), **data),
        "La signature est enregistrée.",
    )
    if done:
        return redirect(_detail_url(contract, "signatures"))
    return _form_page(
        request,
        contract,
        form,
        title="Signer le contrat",
        submit_label="Enregistrer la signature",
        tab="signatures",
        intro="Chaque partie signe pour elle-même, depuis un compte de son organisation. La signature d'une autre "
        "partie (sur papier ou dans un parapheur électronique) ne s'enregistre qu'avec le document signé joint. Le "
        "contrat entre en vigueur à la dernière signature et prend fin au plus tard à la fin de l'agrément du service "
        "(règle R3), dans la limite de 5 ans (règle R2).",
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def amendment_create(request, pk: int):
    contract = _contract(request, pk)
    form = AmendmentForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: lifecycle.open_amendment(by=request.user, contract=contract, on=timezone.localdate(), **data),
        "L'avenant est ouvert : modifiez le contrat, puis faites signer l'avenant par chaque partie (règle R7).",
    )
    if done:
        return redirect(_detail_url(contract, "historique"))
    return _form_page(
        request,
        contract,
        form,
        title="Ouvrir un avenant",
        submit_label="Ouvrir l'avenant",
        tab="historique",
        intro="Un avenant s'applique quand toutes les parties l'ont signé (règle R7). Une prolongation est un "
        "avenant de la date de fin : 5 ans au plus au total (R2), jamais après la fin de l'agrément (R3).",
    )


@require_perm(Perm.CONTRACT_EDIT, Perm.CONTRACT_SIGN)
@require_http_methods(["GET", "POST"])
def amendment_sign(request, pk: int, amendment_pk: int):
    user = request.user
    contract = _contract(request, pk)
    amendment = get_object_or_404(Amendment, pk=amendment_pk, contract=contract)
    signed = amendment.signatures.values("party_id")
    parties = _signing_parties(user, contract.parties.exclude(pk__in=signed))
    form = SignatureForm(
        request.POST or None, request.FILES or None, parties=parties, initial=_signature_initial(user, parties)
    )
    done = submit(
        request,
        form,
        lambda data: lifecycle.sign_amendment(by=user, amendment=amendment, document=_document(data), **data),
        "La signature de l'avenant est enregistrée.",
    )
    if done:
        return redirect(_detail_url(contract, "historique"))
    return _form_page(
        request,
        contract,
        form,
        title=f"Signer l'{amendment}",
        submit_label="Enregistrer la signature",
        tab="historique",
        intro="L'avenant s'applique quand toutes les parties l'ont signé (règle R7) ; une fois une signature "
        "enregistrée, son texte ne change plus.",
    )


@require_perm(Perm.CONTRACT_EDIT)
@require_http_methods(["GET", "POST"])
def termination_create(request, pk: int):
    contract = _contract(request, pk)
    form = TerminationForm(request.POST or None, parties=contract.parties.all())
    done = submit(
        request,
        form,
        lambda data: lifecycle.terminate(by=request.user, contract=contract, **data),
        "La dénonciation est enregistrée ; le contrat prend fin à sa date d'effet (règle R8).",
    )
    if done:
        return redirect(_detail_url(contract, "historique"))
    return _form_page(
        request,
        contract,
        form,
        title="Dénoncer le contrat",
        submit_label="Enregistrer la dénonciation",
        tab="historique",
        intro="Après recherche d'une solution amiable, la partie qui dénonce en informe les autres par courrier "
        "recommandé avec accusé de réception (règle R8).",
    )


@require_perm(Perm.CONTRACT_VIEW)
def version_compare(request, pk: int):
    """Two versions side by side: by default the one before the latest against the latest — the proposed text of an
    open amendment against the version in force."""
    contract = _contract(request, pk)
    versions = list(ContractVersion.objects.filter(contract=contract).order_by("number"))
    if contract.status == ContractStatus.DRAFT:
        versions = [v for v in versions if v.status != VersionStatus.DRAFT]
    if not versions:
        raise Http404("Ce contrat n'a pas encore de version signée.")
    # The previous version against the latest (with a single version, it against itself).
    defaults = {"before": versions[-2 if len(versions) > 1 else -1].number, "after": versions[-1].number}
    form = VersionCompareForm(request.GET or defaults, versions=versions)
    changes, before, after = [], None, None
    if form.is_valid():
        by_number = {v.number: v for v in versions}
        before, after = by_number[form.cleaned_data["before"]], by_number[form.cleaned_data["after"]]
        changes = diff(_text_of(before), _text_of(after))
    return render(
        request,
        "contracts/version_compare.html",
        {
            "page_title": f"Versions — {contract.reference}",
            "breadcrumb_data": crumbs("Versions", _list_crumb(), (_detail_url(contract), contract.reference)),
            "contract": contract,
            "form": form,
            "changes": changes,
            "before": before,
            "after": after,
            "single_version": len(versions) == 1,
        },
    )


def _text_of(version: ContractVersion) -> dict:
    """A signed version's frozen text; the text of a working copy as it stands."""
    return snapshot(version) if version.status == VersionStatus.DRAFT else version.snapshot


@require_perm(Perm.CONTRACT_VIEW)
def contract_pdf(request, pk: int):
    """The text to sign as an A4 PDF, its content hash in every footer and in its metadata: the contract's text, or
    with `?texte=avenant` the open amendment's proposed text. A party signs it (parapheur, qualified signature)
    and uploads it back with its signature; the platform checks it carries the same hash."""
    contract = _contract(request, pk)
    version = text_to_sign(contract, proposed=request.GET.get("texte") == "avenant")
    content = build_pdf(
        contract, content_sha256=current_hash(version), version_label=version_label(version), version=version
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}-version-{version.number}.pdf"'
    return response


@require_perm(Perm.CONTRACT_VIEW)
def contract_docx(request, pk: int):
    contract = _contract(request, pk)
    response = HttpResponse(
        build_docx(contract),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}.docx"'
    return response
