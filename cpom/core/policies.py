"""The access rule of every endpoint, declared in one place (issue « Trust », item 1).

Each page (URL name « app:name ») and each API operation (« METHOD /api/path/{param} », as in the OpenAPI
document) has one `Policy`: who may call it, which objects its URL designates and how they are scoped, and what an
allowed call answers. The rules are enforced where they always were — `LoginRequiredMiddleware`, `require_perm`,
`request.user.can(…)` in the API, the scoped querysets (`.visible_to(user)`, `regions_in_scope(user)`…); this
registry changes no view. It is checked by two tests:

- tests/security/test_policy_registry.py walks the URL resolver and the OpenAPI document and fails on any endpoint
  without a policy, on any policy without an endpoint, and on a policy whose objects are not the URL's parameters;
- tests/security/test_access_matrix.py calls every endpoint as every role, on objects in and out of scope, and
  compares each answer with the one the policy implies, in this order:

  1. anonymous visitor: 302 to the login page (pages), 401 (API) — unless the policy is public;
  2. a role that holds none of `perms`: 403 (the admin site redirects to its own login page instead);
  3. `nation_only` and a scope smaller than the country: 403;
  4. an object of `objects` outside the user's scope, or a part that does not belong to its target: 404;
  5. otherwise `answer`: 200, or 302 for a page that redirects, 405 for a POST-only page read with GET.

  For a write (POST, PUT) the same order applies, then `write_perms` (403) and `domain_perms` (refused by the
  domain function: 422 on the API).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from cpom.core.permissions import Perm


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not (`login_not_required`)
    SIGNED_IN = "signed_in"  # a signed-in user; an anonymous visitor is sent to the login page (API: 401)
    ADMIN_SITE = "admin_site"  # Django's admin: administrators only; anyone else is sent to its login page


class Target(StrEnum):
    """What a URL parameter designates, and so the rule that makes it visible (else 404)."""

    SERVICE = "service"  # Spsti.objects.visible_to(user)
    SERVICE_SIRET = "service_siret"  # the same, designated by its SIRET (the API's business key)
    ORGANISATION = "organisation"  # Organisation.objects.visible_to(user): every institution, a service in scope (302)
    CONTRACT = "contract"  # Contract.objects.visible_to(user): social partners signed ones, the ARS no draft
    SIGNED_CONTRACT = "signed_contract"  # a visible contract that has at least one signed version
    REPORT = "report"  # reports.services.reports_visible_to(user)
    # organisations.selectors.regions_in_scope(user): a caisse opens the regions its departments touch, whose named
    # per-service rows are limited to the services headquartered in its departments (named_services_of, issue 16)
    REGION = "region"
    CAMPAIGN = "campaign"  # contracts.campaigns.campaigns_visible_to(user): the regional frame
    TOKEN = "token"  # an API token of the user himself
    ACCOUNT = "account"  # the account of a password reset link (no scope: the signed token decides)
    PERSON = "person"  # accounts.people.people_visible_to(user): every account (admin), his organisation's (manager)
    INVITATION = "invitation"  # Invitation.objects.visible_to(user): same rule as PERSON
    INVITATION_LINK = "invitation_link"  # the secret of an invitation link (no scope: the secret decides)
    # Parts: designated together with their target, found only within it (get_object_or_404(…, contract=…)).
    AXIS = "axis"
    ACTION = "action"
    COMMITMENT = "commitment"
    INDICATOR_ROW = "indicator_row"
    AMENDMENT = "amendment"  # by primary key (pages)
    AMENDMENT_NUMBER = "amendment_number"  # by its number within the contract (API)
    PARTY = "party"
    GROUP = "group"
    RESET_TOKEN = "reset_token"


PART_OF: dict[Target, frozenset[Target]] = {
    Target.AXIS: frozenset({Target.CONTRACT}),
    Target.ACTION: frozenset({Target.CONTRACT}),
    Target.COMMITMENT: frozenset({Target.CONTRACT}),
    Target.INDICATOR_ROW: frozenset({Target.CONTRACT}),
    Target.AMENDMENT: frozenset({Target.CONTRACT}),
    Target.AMENDMENT_NUMBER: frozenset({Target.CONTRACT}),
    Target.PARTY: frozenset({Target.CONTRACT}),
    Target.GROUP: frozenset({Target.CAMPAIGN}),
    Target.RESET_TOKEN: frozenset({Target.ACCOUNT}),
}

GET = frozenset({"GET"})
GET_POST = frozenset({"GET", "POST"})
POST = frozenset({"POST"})


@dataclass(frozen=True, eq=False)
class Policy:
    description: str  # in French: what the endpoint does and for whom
    access: Access = Access.SIGNED_IN
    perms: frozenset[Perm] = frozenset()  # any one of them opens the endpoint; none: every signed-in user
    objects: Mapping[str, Target] = field(default_factory=dict)  # URL (or API body) parameter → what it designates
    nation_only: bool = False  # 403 unless the user's scope is the whole country
    methods: frozenset[str] = GET  # the methods a page accepts (an API operation has one, in its key)
    answer: int = 200  # an allowed GET: 200, 302 (redirects), 404 (no page), 405 (POST only)
    method_first: bool = False  # the method is checked before the permission: 405 on GET even without it
    write_perms: frozenset[Perm] = frozenset()  # also needed to write (POST), checked after the object (403)
    domain_perms: frozenset[Perm] = frozenset()  # also needed, checked by the domain function (API: 422)
    redirects_signed_in: bool = False  # a signed-in user is sent elsewhere (302): the login page
    search: tuple[str, ...] = ()  # query parameters that filter or search the rows (tried with out-of-scope values)
    params: tuple[str, ...] = ()  # path parameters that designate no scoped object (a year)

    def __post_init__(self):
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    @property
    def targets(self) -> dict[str, Target]:
        """The parameters that designate a scoped object (not a part of one)."""
        return {name: target for name, target in self.objects.items() if target not in PART_OF}

    @property
    def parts(self) -> dict[str, Target]:
        return {name: target for name, target in self.objects.items() if target in PART_OF}


def _p(description: str, *perms: Perm, **options) -> Policy:
    return Policy(description, perms=frozenset(perms), **options)


def _public(description: str, **options) -> Policy:
    return Policy(description, access=Access.PUBLIC, **options)


def _any(*perms: Perm) -> frozenset[Perm]:
    return frozenset(perms)


_CONTRACT = {"pk": Target.CONTRACT}
_SERVICE = {"pk": Target.SERVICE}
_REPORT = {"pk": Target.REPORT}
_CAMPAIGN = {"pk": Target.CAMPAIGN}
_REGION = {"code": Target.REGION}


def _contract_form(description: str, **objects: Target) -> Policy:
    """A negotiation page of one contract: agents who negotiate (CONTRACT_EDIT), within their scope."""
    return _p(description, Perm.CONTRACT_EDIT, objects=_CONTRACT | objects, methods=GET_POST)


def _contract_action(description: str, **objects: Target) -> Policy:
    """A button of a contract page (POST only): CONTRACT_EDIT checked first, then the method, then the scope."""
    return _p(description, Perm.CONTRACT_EDIT, objects=_CONTRACT | objects, methods=POST, answer=405)


def _campaign_form(description: str, **objects: Target) -> Policy:
    return _p(description, Perm.CAMPAIGN_EDIT, objects=_CAMPAIGN | objects, methods=GET_POST)


def _review(description: str) -> Policy:
    return _p(description, Perm.REPORT_REVIEW, objects=_REPORT, methods=POST, answer=405)


POLICIES: dict[str, Policy] = {
    # --- core -----------------------------------------------------------------------------------------------
    "workspace:home": _p(
        "Accueil : ce que l'utilisateur a à faire dans son périmètre (à faire), chiffres agrégés du registre"
    ),
    "core:accessibility": _public("Déclaration d'accessibilité"),
    "core:legal": _public("Mentions légales"),
    "core:schemas": _public("Formats de fichiers (schémas de tableaux) et documentation de l'API"),
    "core:personal_data": _public("Données personnelles"),
    "core:glossary": _public("Glossaire des sigles et termes du CPOM"),
    # --- accounts -------------------------------------------------------------------------------------------
    "accounts:login": _public("Connexion", methods=GET_POST, redirects_signed_in=True),
    "accounts:logout": _p("Déconnexion (POST seulement)", methods=POST, answer=405, method_first=True),
    "accounts:two_factor": _p("Activer ou désactiver sa double authentification (TOTP)", methods=GET_POST),
    "accounts:two_factor_verify": _p(
        "Code de double authentification après le mot de passe (sans appareil : renvoi à l'accueil)",
        methods=GET_POST,
        answer=302,
    ),
    "accounts:password_reset": _public("Demande de réinitialisation du mot de passe", methods=GET_POST),
    "accounts:password_reset_done": _public("Courriel de réinitialisation envoyé"),
    "accounts:password_reset_confirm": _public(
        "Nouveau mot de passe depuis le lien reçu (un lien invalide affiche une erreur)",
        objects={"uidb64": Target.ACCOUNT, "token": Target.RESET_TOKEN},
        methods=GET_POST,
    ),
    "accounts:password_reset_complete": _public("Mot de passe modifié"),
    # ProConnect (issue 17): 404 while it is not configured, as in the tests (tests/accounts/test_proconnect.py)
    "accounts:proconnect_login": _public("Connexion avec ProConnect : renvoi au fournisseur d'identité", answer=404),
    "accounts:proconnect_callback": _public(
        "Retour de ProConnect : vérification du jeton d'identité, rattachement à un compte existant ou invité",
        answer=404,
    ),
    "accounts:people": _p(
        "Personnes de mon organisation et invitations en attente (administrateur : toutes)", Perm.PEOPLE_MANAGE
    ),
    "accounts:invite": _p(
        "Inviter une personne dans mon organisation (administrateur : dans toute organisation)",
        Perm.PEOPLE_MANAGE,
        methods=GET_POST,
    ),
    "accounts:person": _p(
        "Changer le rôle d'un compte de mon organisation, le désactiver ou le réactiver (hors organisation : 404)",
        Perm.PEOPLE_MANAGE,
        objects={"pk": Target.PERSON},
        methods=GET_POST,
    ),
    "accounts:invitation_resend": _p(
        "Renvoyer une invitation en attente de mon organisation (nouveau lien de 72 heures)",
        Perm.PEOPLE_MANAGE,
        objects={"pk": Target.INVITATION},
        methods=POST,
        answer=405,
    ),
    "accounts:invitation_cancel": _p(
        "Annuler une invitation en attente de mon organisation",
        Perm.PEOPLE_MANAGE,
        objects={"pk": Target.INVITATION},
        methods=POST,
        answer=405,
    ),
    "accounts:invitation_accept": _public(
        "Ouvrir son compte depuis le lien d'une invitation (un lien invalide affiche une erreur)",
        objects={"token": Target.INVITATION_LINK},
        methods=GET_POST,
    ),
    "notifications:preferences": _p(
        "Mes notifications : par sorte de message, immédiat, résumé quotidien ou jamais (ses propres choix)",
        methods=GET_POST,
    ),
    # --- API tokens -----------------------------------------------------------------------------------------
    "api_tokens:token_list": _p("Mes jetons d'API : liste et création", methods=GET_POST),
    "api_tokens:token_revoke": _p(
        "Révoquer un de mes jetons (ceux des autres : 404)",
        objects={"pk": Target.TOKEN},
        methods=POST,
        answer=405,
        method_first=True,
    ),
    # --- registry -------------------------------------------------------------------------------------------
    "organisations:spsti_list": _p(
        "Registre des services du périmètre, filtres et recherche",
        Perm.REGISTRY_VIEW,
        search=("q", "region", "department"),
    ),
    "organisations:spsti_create": _p("Inscrire un service", Perm.REGISTRY_EDIT, methods=GET_POST),
    "organisations:spsti_detail": _p("Fiche d'un service", Perm.REGISTRY_VIEW, objects=_SERVICE),
    "organisations:spsti_update": _p("Modifier un service", Perm.REGISTRY_EDIT, objects=_SERVICE, methods=GET_POST),
    "organisations:approval_create": _p(
        "Enregistrer un agrément", Perm.REGISTRY_EDIT, objects=_SERVICE, methods=GET_POST
    ),
    "organisations:organisation_list": _p("Institutions (sans les services)", Perm.ORGANISATIONS_VIEW),
    "organisations:organisation_detail": _p(
        "Une institution ; un service renvoie (302) à sa fiche du registre s'il est dans le périmètre",
        Perm.ORGANISATIONS_VIEW,
        objects={"pk": Target.ORGANISATION},
    ),
    # --- contracts ------------------------------------------------------------------------------------------
    "contracts:contract_list": _p(
        "Contrats du périmètre, filtres et recherche", Perm.CONTRACT_VIEW, search=("q", "region", "theme")
    ),
    "contracts:contract_create": _p("Créer un projet de contrat (R1)", Perm.CONTRACT_EDIT, methods=GET_POST),
    "contracts:contract_detail": _p("Un contrat et ses onglets", Perm.CONTRACT_VIEW, objects=_CONTRACT),
    "contracts:contract_docx": _p("Le contrat au format Word", Perm.CONTRACT_VIEW, objects=_CONTRACT),
    "contracts:contract_pdf": _p(
        "Le texte à signer en PDF (A4, empreinte du contenu), ou le texte proposé par l'avenant en cours",
        Perm.CONTRACT_VIEW,
        objects=_CONTRACT,
    ),
    "contracts:general_terms": _contract_form("Clauses générales"),
    "contracts:axis_create": _contract_form("Ajouter un axe"),
    "contracts:axis_update": _contract_form("Modifier un axe", axis_pk=Target.AXIS),
    "contracts:action_create": _contract_form("Ajouter une fiche action à un axe", axis_pk=Target.AXIS),
    "contracts:action_update": _contract_form("Modifier une fiche action", action_pk=Target.ACTION),
    "contracts:action_delete": _contract_action("Supprimer une fiche action", action_pk=Target.ACTION),
    "contracts:commitments_catalogue": _contract_form("Engagements choisis dans le catalogue"),
    "contracts:commitment_create": _contract_form("Nouvel engagement"),
    "contracts:commitment_update": _contract_form("Modifier un engagement", commitment_pk=Target.COMMITMENT),
    "contracts:commitment_delete": _contract_action("Retirer un engagement", commitment_pk=Target.COMMITMENT),
    "contracts:indicator_create": _contract_form("Indicateur propre au contrat"),
    "contracts:targets_edit": _contract_form("Cibles d'un indicateur", row_pk=Target.INDICATOR_ROW),
    "contracts:convention_create": _contract_form("Annexer une convention bilatérale (R10)"),
    "contracts:comment_create": _p(
        "Commenter un projet (le service partie et les agents qui négocient ; POST seulement)",
        Perm.CONTRACT_COMMENT,
        Perm.CONTRACT_EDIT,
        objects=_CONTRACT,
        methods=POST,
        answer=405,
        method_first=True,
    ),
    "contracts:send_for_consultation": _contract_action("Envoyer en consultation (R5, R6)"),
    "contracts:back_to_negotiation": _contract_action("Revenir en négociation"),
    "contracts:opinion_create": _p(
        "Enregistrer un avis (CRPST par les agents, ARS par l'ARS) (R4)",
        Perm.CONTRACT_EDIT,
        Perm.CONTRACT_OPINION,
        objects=_CONTRACT,
        methods=GET_POST,
    ),
    "contracts:signature_create": _p(
        "Signer pour sa propre organisation, ou enregistrer la signature d'une autre partie avec le document signé "
        "(R2, R3, R4)",
        Perm.CONTRACT_EDIT,
        Perm.CONTRACT_SIGN,
        objects=_CONTRACT,
        methods=GET_POST,
    ),
    "contracts:amendment_create": _contract_form("Ouvrir un avenant (R7)"),
    "contracts:amendment_sign": _p(
        "Signer un avenant pour sa propre organisation, ou enregistrer la signature d'une autre partie avec le "
        "document signé (R7)",
        Perm.CONTRACT_EDIT,
        Perm.CONTRACT_SIGN,
        objects=_CONTRACT | {"amendment_pk": Target.AMENDMENT},
        methods=GET_POST,
    ),
    "contracts:termination_create": _contract_form("Dénoncer le contrat (R8)"),
    "contracts:version_compare": _p(
        "Comparer deux versions signées", Perm.CONTRACT_VIEW, objects={"pk": Target.SIGNED_CONTRACT}
    ),
    # --- regional frame (contracting campaigns) ---------------------------------------------------------------
    "contracts:campaign_list": _p("Campagnes de contractualisation du périmètre", Perm.CONTRACT_VIEW),
    "contracts:campaign_create": _p("Ouvrir une campagne régionale", Perm.CAMPAIGN_EDIT, methods=GET_POST),
    "contracts:campaign_detail": _p("Cadre régional d'une campagne", Perm.CONTRACT_VIEW, objects=_CAMPAIGN),
    "contracts:priority_themes": _campaign_form("Thématiques prioritaires régionales (R5)"),
    "contracts:group_create": _campaign_form("Nouveau groupe thématique"),
    "contracts:document_create": _campaign_form("Document de la boîte à outils d'un groupe", group_pk=Target.GROUP),
    "contracts:regional_indicator_create": _campaign_form("Nouvel indicateur régional"),
    # --- annual reports -------------------------------------------------------------------------------------
    "reports:report_list": _p("Suivi annuel : rapports attendus du périmètre", Perm.REPORT_VIEW, search=("region",)),
    "reports:campaign_list": _p(
        "Campagnes de suivi annuel ; en ouvrir une (agents qui examinent les rapports)",
        Perm.REPORT_VIEW,
        methods=GET_POST,
        write_perms=_any(Perm.REPORT_REVIEW),
    ),
    "reports:values_import": _p(
        "Importer des valeurs (CSV) dans ses propres rapports : seul le service saisit son rapport",
        Perm.REPORT_FILL,
        methods=GET_POST,
    ),
    "reports:values_export": _p("Exporter les valeurs du périmètre (CSV)", Perm.REPORT_VIEW, search=("region",)),
    "reports:survey_csv": _p(
        "Enquête annuelle DGT : indicateurs de l'annexe des rapports du périmètre, une année (CSV)", Perm.REPORT_VIEW
    ),
    "reports:survey_xlsx": _p(
        "Enquête annuelle DGT : indicateurs de l'annexe des rapports du périmètre, une année (XLSX)", Perm.REPORT_VIEW
    ),
    "reports:report_detail": _p(
        "Un rapport annuel ; le saisir (le service, tant qu'il est en brouillon ou renvoyé)",
        Perm.REPORT_VIEW,
        objects=_REPORT,
        methods=GET_POST,
        write_perms=_any(Perm.REPORT_FILL),
    ),
    "reports:excel_template": _p("Modèle Excel d'un rapport", Perm.REPORT_VIEW, objects=_REPORT),
    "reports:excel_upload": _p(
        "Déposer le fichier Excel d'un rapport", Perm.REPORT_FILL, objects=_REPORT, methods=GET_POST
    ),
    "reports:report_validate": _review("Valider un rapport transmis"),
    "reports:report_return": _review("Renvoyer un rapport pour correction"),
    "reports:report_reopen": _review("Rouvrir un rapport validé"),
    "reports:review_desk": _p(
        "Bureau d'examen d'un rapport : chiffres, an dernier, médiane régionale, signalements, justifications",
        Perm.REPORT_REVIEW,
        objects=_REPORT,
    ),
    "reports:report_submit": _p(
        "Confirmation de la transmission (cases vides, chiffres signalés, justifications) ; le service. Un rapport "
        "déjà transmis renvoie (302) à sa page",
        Perm.REPORT_FILL,
        objects=_REPORT,
        methods=GET_POST,
        answer=302,
    ),
    "reports:report_receipt": _p(
        "Accusé de réception imprimable d'un rapport transmis (date, version, valeurs) ; 404 s'il n'est pas transmis",
        Perm.REPORT_VIEW,
        objects=_REPORT,
    ),
    "reports:report_remind": _review("Relancer le service d'un rapport en retard (une fois par jour au plus)"),
    "reports:bulk_validate": _p(
        "Valider d'un coup les rapports transmis cochés qui ne portent aucun signalement (POST seulement)",
        Perm.REPORT_REVIEW,
        methods=POST,
        answer=405,
    ),
    "reports:value_history": _p("Historique d'une valeur d'un rapport", Perm.REPORT_VIEW, objects=_REPORT),
    # --- steering -------------------------------------------------------------------------------------------
    "steering:national": _p("Tableau de bord national et ses exports", Perm.DASHBOARD_VIEW, nation_only=True),
    "steering:national_bilan": _p("Bilan national (CNPST) et ses exports", Perm.DASHBOARD_VIEW, nation_only=True),
    "steering:regional": _p(
        "Tableau de bord d'une région et ses exports (lignes nominatives : services du périmètre seulement)",
        Perm.DASHBOARD_VIEW,
        objects=_REGION,
    ),
    "steering:regional_bilan": _p("Bilan régional (CRPST) et ses exports", Perm.DASHBOARD_VIEW, objects=_REGION),
    "steering:restitution": _p(
        "Restitution d'un service : ses chiffres et sa position (pairs anonymes)", Perm.REPORT_VIEW, objects=_SERVICE
    ),
    "steering:watch": _p("Points de vigilance du périmètre et leurs exports", Perm.CONTRACT_EDIT),
    "steering:open_data": _public("Données ouvertes : agrégats non identifiants par région"),
    # --- API documents (the operations are in API_POLICIES) --------------------------------------------------
    "api:openapi-json": _public("Document OpenAPI de l'API"),
    "api:openapi-view": _public("Documentation interactive de l'API"),
    "api:api-root": _public("Racine de l'API : aucune page (404)", answer=404),
    # --- Django admin ---------------------------------------------------------------------------------------
    "admin:*": Policy("Administration (/gestion/) : administrateurs seulement", access=Access.ADMIN_SITE),
}

_CONTRACT_ID = {"contract_id": Target.CONTRACT}
_SIRET = {"siret": Target.SERVICE_SIRET}
_REPORT_ID = {"report_id": Target.REPORT}


def _report_write(description: str, domain_perm: Perm) -> Policy:
    """A write on one report through the API: the role reads reports (403), the report is in scope (404), and
    the domain function checks the role may do this (the service fills, agents review: 422 otherwise)."""
    return _p(description, Perm.REPORT_VIEW, objects=_REPORT_ID, domain_perms=_any(domain_perm))


API_POLICIES: dict[str, Policy] = {
    "GET /api/todo": _p("Ce que l'utilisateur a à faire dans son périmètre (comme l'accueil)"),
    # --- registry (services by SIRET) ---------------------------------------------------------------------------
    "GET /api/services": _p(
        "Services du registre dans le périmètre", Perm.REGISTRY_VIEW, search=("q", "region", "department")
    ),
    "GET /api/services/{siret}": _p("Fiche d'un service par son SIRET", Perm.REGISTRY_VIEW, objects=_SIRET),
    "POST /api/services": _p(
        "Inscrire un service (sa région : la DREETS ; tout le pays : l'administrateur)", Perm.REGISTRY_EDIT
    ),
    "PUT /api/services/{siret}": _p("Mettre à jour la fiche d'un service", Perm.REGISTRY_EDIT, objects=_SIRET),
    "POST /api/services/{siret}/approvals": _p(
        "Enregistrer un agrément, un renouvellement, un agrément réduit", Perm.REGISTRY_EDIT, objects=_SIRET
    ),
    "POST /api/services/{siret}/certifications": _p(
        "Enregistrer une certification (niveau, organisme, date ; échéance déduite)", Perm.REGISTRY_EDIT, objects=_SIRET
    ),
    "POST /api/services/{siret}/merger": _p(
        "Enregistrer la fusion d'un service dans un autre du périmètre", Perm.REGISTRY_EDIT, objects=_SIRET
    ),
    # --- contracts ----------------------------------------------------------------------------------------------
    "GET /api/contracts": _p("Contrats du périmètre", Perm.CONTRACT_VIEW, search=("q", "region", "theme")),
    "POST /api/contracts": _p(
        "Créer un projet de contrat pour des services du périmètre, désignés par leur SIRET (R1)",
        Perm.CONTRACT_EDIT,
        objects={"services": Target.SERVICE_SIRET},
    ),
    "GET /api/contracts/{contract_id}": _p("Un contrat et tout son contenu", Perm.CONTRACT_VIEW, objects=_CONTRACT_ID),
    "POST /api/contracts/{contract_id}/consultation": _p(
        "Envoyer en consultation", Perm.CONTRACT_EDIT, objects=_CONTRACT_ID
    ),
    "POST /api/contracts/{contract_id}/opinions": _p(
        "Enregistrer un avis (R4)", Perm.CONTRACT_EDIT, Perm.CONTRACT_OPINION, objects=_CONTRACT_ID
    ),
    "POST /api/contracts/{contract_id}/signatures": _p(
        "Signer pour sa propre organisation, ou enregistrer la signature d'une autre partie avec le document signé",
        Perm.CONTRACT_EDIT,
        Perm.CONTRACT_SIGN,
        objects=_CONTRACT_ID | {"party": Target.PARTY},
    ),
    "POST /api/contracts/{contract_id}/amendments": _p(
        "Ouvrir un avenant (R7)", Perm.CONTRACT_EDIT, objects=_CONTRACT_ID
    ),
    "POST /api/contracts/{contract_id}/amendments/{number}/signatures": _p(
        "Signer un avenant pour sa propre organisation, ou enregistrer la signature d'une autre partie avec le "
        "document signé",
        Perm.CONTRACT_EDIT,
        Perm.CONTRACT_SIGN,
        objects=_CONTRACT_ID | {"number": Target.AMENDMENT_NUMBER, "party": Target.PARTY},
    ),
    "POST /api/contracts/{contract_id}/termination": _p(
        "Dénoncer le contrat (R8)", Perm.CONTRACT_EDIT, objects=_CONTRACT_ID | {"party": Target.PARTY}
    ),
    "GET /api/contracts/{contract_id}/pdf": _p("Le texte à signer en PDF", Perm.CONTRACT_VIEW, objects=_CONTRACT_ID),
    "GET /api/contracts/{contract_id}/versions/diff": _p(
        "Différences entre deux versions signées", Perm.CONTRACT_VIEW, objects={"contract_id": Target.SIGNED_CONTRACT}
    ),
    "GET /api/contracts/{contract_id}/document": _p(
        "Le contrat au format Word", Perm.CONTRACT_VIEW, objects=_CONTRACT_ID
    ),
    "GET /api/reports": _p("Rapports du périmètre pour une année", Perm.REPORT_VIEW),
    "GET /api/reports/{report_id}": _p("Un rapport : cases, valeurs, actions", Perm.REPORT_VIEW, objects=_REPORT_ID),
    "PUT /api/reports/{report_id}/values": _report_write("Écrire les valeurs (le service)", Perm.REPORT_FILL),
    "POST /api/reports/{report_id}/submit": _report_write("Transmettre (le service)", Perm.REPORT_FILL),
    "POST /api/reports/{report_id}/validate": _report_write("Valider (agents)", Perm.REPORT_REVIEW),
    "POST /api/reports/{report_id}/return": _report_write("Renvoyer pour correction (agents)", Perm.REPORT_REVIEW),
    "POST /api/reports/{report_id}/reopen": _report_write("Rouvrir (agents)", Perm.REPORT_REVIEW),
    "POST /api/collections/{year}": _p(
        "Ouvrir la collecte d'une année : campagne nationale et rapports dus (cellule nationale), sans effet au "
        "second appel",
        Perm.REPORT_VIEW,
        nation_only=True,
        params=("year",),
    ),
    "GET /api/dashboards/national": _p("Tableau 1 national", Perm.DASHBOARD_VIEW, nation_only=True),
    "GET /api/dashboards/national/tables": _p(
        "Tableaux du tableau de bord national", Perm.DASHBOARD_VIEW, nation_only=True
    ),
    "GET /api/dashboards/regions/{code}": _p("Tableau de bord régional", Perm.DASHBOARD_VIEW, objects=_REGION),
    "GET /api/dashboards/regions/{code}/tables": _p(
        "Tableaux d'un tableau de bord régional", Perm.DASHBOARD_VIEW, objects=_REGION
    ),
}


def policy_for_url_name(name: str) -> Policy | None:
    """The policy of a URL name « app:name », or of its whole namespace (« admin:* »)."""
    if name in POLICIES:
        return POLICIES[name]
    namespace = name.rpartition(":")[0]
    return POLICIES.get(f"{namespace}:*") if namespace else None
