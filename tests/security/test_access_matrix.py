"""The access matrix: every page and every API operation, called as every role on objects in and out of its
scope, answers what its policy (cpom/core/policies.py) implies — and no 200 answer, export or search shows a
service or a contract outside the caller's scope.

Who sees what is written below by hand from DESIGN §2 (`SEES`), independently of the querysets under test; what
each role may do comes from accounts.permissions (the one source of rights). The world is built once for the
module, inside a transaction rolled back at its end; each test runs in a savepoint of it.
"""

import datetime as dt
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cpom.accounts import invitations
from cpom.accounts.enums import Role
from cpom.api.models import ApiToken
from cpom.contracts import campaigns, lifecycle
from cpom.contracts import services as contract_services
from cpom.contracts.models import Contract
from cpom.core.policies import API_POLICIES, POLICIES, Access, Policy, Target
from cpom.reports.campaigns import open_reporting_campaign
from cpom.reports.models import Report
from cpom.reports.services import current_values, reopen, save_values, submit, validate
from cpom.territory.models import Region
from tests import conftest as shared
from tests.contracts.test_pages import make_draft, sign
from tests.factories import ApprovalFactory, SpstiFactory, UserFactory, organisation

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, *shared.PERSONAS]
LOGIN_URL = "/comptes/connexion/"
ADMIN_LOGIN_URL = "/gestion/login/"
ADMIN_SAMPLES = ["admin:index", "admin:organisations_spsti_changelist", "admin:accounts_user_changelist"]

# --- Who sees what (DESIGN §2) ---------------------------------------------------------------------------------
BRETAGNE = frozenset({"dreets_agent", "caisse_agent", "regional_pilot", "ars_reader", "social_partner"})
NATION = frozenset({"national", "admin"})
SIGNED_IN = frozenset(shared.PERSONAS)
EVERYONE = frozenset(PERSONAS)
SEES = {
    # services, and the rows that belong to them (reports, restitution)
    "A": {"spsti_referent"} | BRETAGNE | NATION,
    "B": {"other_spsti_referent"} | BRETAGNE | NATION,
    "IDF": {"dreets_agent_other_region"} | NATION,
    "C": BRETAGNE | NATION,  # approved, no contract: on the Bretagne watch list
    "D": {"dreets_agent_other_region"} | NATION,  # approved, no contract: on the Île-de-France watch list
    # headquartered in Loire-Atlantique, covering Ille-et-Vilaine too: the Bretagne caisse does not see it named
    # (DESIGN §2: a caisse names only the services headquartered in its departments — issue 16)
    "N": NATION,
    # contracts: the ARS and social partners do not read drafts in negotiation
    "signed_a": {"spsti_referent"} | BRETAGNE | NATION,
    "draft_a": {"spsti_referent", "dreets_agent", "caisse_agent", "regional_pilot"} | NATION,
    "signed_b": {"other_spsti_referent"} | BRETAGNE | NATION,
    "signed_idf": {"dreets_agent_other_region"} | NATION,
    # regions (dashboards)
    "53": {"spsti_referent", "other_spsti_referent"} | BRETAGNE | NATION,
    "11": {"dreets_agent_other_region"} | NATION,
    # the regional frame: every contract reader of the region; a caisse reads those of the regions its departments
    # touch (issue 16).
    "campaign_53": {"spsti_referent", "other_spsti_referent"} | BRETAGNE | NATION,
    "campaign_11": {"dreets_agent_other_region"} | NATION,
}

PERSONA_ACCOUNTS = {
    "spsti_referent": ("referent-a@cpom.test", Role.SPSTI_REFERENT, "A"),
    "other_spsti_referent": ("referent-b@cpom.test", Role.SPSTI_REFERENT, "B"),
    "dreets_agent": ("agent@dreets-bretagne.test", Role.DREETS_AGENT, "ETAT-53"),
    "dreets_agent_other_region": ("agent@drieets-idf.test", Role.DREETS_AGENT, "ETAT-11"),
    "caisse_agent": ("agent@carsat-bretagne.test", Role.CAISSE_AGENT, "CARSAT-BR"),
    "regional_pilot": ("pilote@dreets-bretagne.test", Role.REGIONAL_PILOT, "ETAT-53"),
    "ars_reader": ("lecteur@ars-bretagne.test", Role.ARS_READER, "ARS-53"),
    "social_partner": ("membre@crpst-bretagne.test", Role.SOCIAL_PARTNER, "CRPST-53"),
    "national": ("cellule@dgt.test", Role.NATIONAL, "DGT"),
    "admin": ("admin@cpom.test", Role.ADMIN, None),
}
assert set(PERSONA_ACCOUNTS) == set(shared.PERSONAS)
# Managers of their organisation (issue 17): they manage its people, and only its people.
MANAGERS = frozenset({"spsti_referent", "dreets_agent", "dreets_agent_other_region"})


# --- The world ---------------------------------------------------------------------------------------------------
@dataclass
class Thing:
    """An object a URL can designate: its URL value (or one per persona), who sees it, its parts' URL values."""

    label: str
    value: object
    seen_by: frozenset[str]
    parts: dict[Target, object] = field(default_factory=dict)
    answer: int | None = None  # what an allowed GET answers when it differs from the policy's (a redirect)

    def value_for(self, persona: str):
        return self.value[persona] if isinstance(self.value, dict) else self.value


@dataclass
class World:
    users: dict[str, object]
    keys: dict[str, str]  # persona → API token
    things: dict[Target, list[Thing]]
    services: dict[str, object]
    contracts: dict[str, Contract]
    clients: dict[str, Client] = field(default_factory=dict)

    def forbidden(self, persona: str) -> dict[str, str]:
        """Strings that must never appear in an answer to `persona`: the name and SIRET of every service it does not
        see, the reference of every contract it does not see."""
        if persona in NATION:
            return {}
        strings = {}  # an anonymous visitor sees no service and no contract at all
        for key, spsti in self.services.items():
            if persona not in SEES[key]:
                strings[spsti.name] = f"service {key}"
                strings[spsti.siret] = f"SIRET du service {key}"
        for key, contract in self.contracts.items():
            if persona not in SEES[key]:
                strings[contract.reference] = f"contrat {key}"
        return strings


def _service(name: str, department: str, city: str, *also: str):
    spsti = SpstiFactory(name=name, department=department, departments=[department, *also], city=city)
    ApprovalFactory(spsti=spsti)
    return spsti


def _contract_parts(contract: Contract) -> dict[Target, object]:
    axis = contract.axes.order_by("pk").first()
    parts = {
        Target.AXIS: axis.pk,
        Target.ACTION: axis.actions.order_by("pk").first().pk if axis.actions.exists() else None,
        Target.COMMITMENT: contract.commitments.order_by("pk").first().pk,
        Target.INDICATOR_ROW: contract.indicators.order_by("pk").first().pk,
        Target.PARTY: contract.parties.order_by("pk").first().pk,
    }
    amendment = contract.amendments.order_by("pk").first()
    if amendment is not None:
        parts |= {Target.AMENDMENT: amendment.pk, Target.AMENDMENT_NUMBER: amendment.number}
    assert all(value is not None for value in parts.values()), (contract, parts)
    return parts


def _draft(spsti, agent) -> Contract:
    contract = make_draft(spsti, agent)
    contract_services.save_commitment(
        by=agent, contract=contract, party_role="spsti", category="general", text="Transmettre les données."
    )
    return contract


def _build_world() -> World:
    if shared._snapshot is None:
        shared._load_and_snapshot()
    else:
        shared._replay()
    today = timezone.localdate()
    services = {
        "A": _service("Prévention Santé Travail Ille-et-Vilaine", "35", "Rennes"),
        "B": _service("Santé au travail du Finistère", "29", "Brest"),
        "IDF": _service("Service interentreprises de Paris", "75", "Paris"),
        "C": _service("Santé au travail en Morbihan", "56", "Vannes"),
        "D": _service("Prévention santé Val-de-Marne", "94", "Créteil"),
        "N": _service("Santé au travail Nantes et Rennes", "44", "Nantes", "35"),
    }
    users = {}
    for persona, (email, role, where) in PERSONA_ACCOUNTS.items():
        home = services[where] if where in services else organisation(where) if where else None
        users[persona] = UserFactory(email=email, role=role, organisation=home, is_manager=persona in MANAGERS)
    third = UserFactory(email="tiers@cpom.test", role=Role.NATIONAL, organisation=organisation("CNAM"))
    agent, idf_agent, admin = users["dreets_agent"], users["dreets_agent_other_region"], users["admin"]

    contracts = {
        "signed_a": sign(_draft(services["A"], agent), agent),
        "draft_a": _draft(services["A"], agent),
        "signed_b": sign(_draft(services["B"], agent), agent),
        "signed_idf": sign(_draft(services["IDF"], idf_agent), idf_agent),
    }
    for key in ("signed_a", "signed_b", "signed_idf"):
        lifecycle.open_amendment(
            by=admin, contract=contracts[key], kind="modification", summary="Ajuster les cibles.", on=today
        )
        contracts[key].refresh_from_db()

    open_reporting_campaign(by=admin, year=YEAR)  # the reports owed for YEAR, and the open data of YEAR
    reports = {r.spsti_id: r for r in Report.objects.filter(year=YEAR)}
    report_of = {key: reports[services[key].pk] for key in ("A", "B", "IDF")}
    figures = {"ETAB_ACCOMPAGNES|TMS": "12", "PDP_SALARIES_ACCOMPAGNES|PDP": "40", "PDP_SALARIES_PARCOURS|PDP": "15"}
    for key, report in report_of.items():
        save_values(by=None, report=report, values=figures, version=1)
        submit(by=None, report=report)
        if key != "B":
            validate(by=admin, report=report)

    frames = {}
    for code, pilot in (("53", "ETAT-53"), ("11", "ETAT-11")):
        region = Region.objects.get(code=code)
        frame = campaigns.open_campaign(by=admin, region=region, generation=4, title=f"CPOM 4 {code}", on=today)
        campaigns.add_group(
            by=admin, campaign=frame, title="Groupe TMS", theme=None, pilot=organisation(pilot), members=[]
        )
        frames[code] = frame

    # People and invitations of three organisations: the DREETS of Bretagne, service A, the DRIEETS (issue 17)
    people = {
        "53": users["regional_pilot"],
        "A": UserFactory(email="adjoint@pst35.test", role=Role.SPSTI_REFERENT, organisation=services["A"]),
        "11": UserFactory(
            email="agent2@drieets-idf.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-11")
        ),
    }
    homes = {"53": organisation("ETAT-53"), "A": services["A"], "11": organisation("ETAT-11")}
    roles = {"53": Role.DREETS_AGENT, "A": Role.SPSTI_REFERENT, "11": Role.DREETS_AGENT}
    pending = {
        key: invitations.invite(by=admin, email=f"invite-{key}@cpom.test", organisation=home, role=roles[key], link=str)
        for key, home in homes.items()
    }
    managed_by = {
        "53": {"dreets_agent", "admin"},
        "A": {"spsti_referent", "admin"},
        "11": {"dreets_agent_other_region", "admin"},
    }

    keys = {persona: ApiToken.issue(user=user, label="matrice")[1] for persona, user in users.items()}
    own_tokens = {persona: ApiToken.objects.get(user=user).pk for persona, user in users.items()}
    own_tokens[ANONYMOUS] = own_tokens["admin"]
    other_token, _ = ApiToken.issue(user=third, label="tiers")

    def contract_thing(key: str) -> Thing:
        return Thing(key, contracts[key].pk, frozenset(SEES[key]), _contract_parts(contracts[key]))

    things = {
        Target.SERVICE: [Thing(key, services[key].pk, frozenset(SEES[key])) for key in ("A", "B", "IDF", "N")],
        Target.SERVICE_SIRET: [Thing(key, services[key].siret, frozenset(SEES[key])) for key in ("A", "B", "IDF", "N")],
        Target.ORGANISATION: [Thing("CARSAT-BR", organisation("CARSAT-BR").pk, SIGNED_IN)]
        + [Thing(f"organisation {key}", services[key].pk, frozenset(SEES[key]), answer=302) for key in ("A", "IDF")],
        Target.CONTRACT: [contract_thing(key) for key in contracts],
        Target.SIGNED_CONTRACT: [contract_thing(key) for key in contracts if key != "draft_a"],
        Target.REPORT: [Thing(f"rapport {key}", r.pk, frozenset(SEES[key])) for key, r in report_of.items()],
        Target.REGION: [Thing(code, code, frozenset(SEES[code])) for code in ("53", "11")],
        Target.CAMPAIGN: [
            Thing(
                f"campagne {code}",
                frame.pk,
                frozenset(SEES[f"campaign_{code}"]),
                {Target.GROUP: frame.groups.get().pk},
            )
            for code, frame in frames.items()
        ],
        Target.TOKEN: [
            Thing("son jeton", own_tokens, SIGNED_IN),
            Thing("jeton d'un autre", other_token.pk, frozenset()),
        ],
        Target.PERSON: [
            Thing(f"compte {key}", person.pk, frozenset(managed_by[key])) for key, person in people.items()
        ],
        Target.INVITATION: [
            Thing(f"invitation {key}", invitation.pk, frozenset(managed_by[key])) for key, invitation in pending.items()
        ],
        Target.INVITATION_LINK: [Thing("lien d'invitation inconnu", "lien-inconnu-0", EVERYONE)],
        Target.ACCOUNT: [
            Thing(
                "lien périmé",
                urlsafe_base64_encode(force_bytes(admin.pk)),
                EVERYONE,
                {Target.RESET_TOKEN: "lien-perime-0"},
            )
        ],
    }
    return World(users, keys, things, services, contracts)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
            built.clients[ANONYMOUS] = Client()
            for persona, user in built.users.items():
                built.clients[persona] = Client()
                built.clients[persona].force_login(user)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- Samples: the objects an endpoint is called with ------------------------------------------------------------
NOT_MIXED = {Target.AMENDMENT_NUMBER, Target.RESET_TOKEN}  # numbered within their target: nothing to mix up


@dataclass
class Sample:
    label: str
    values: dict[str, Thing | object]  # parameter → the Thing it designates, or a part's value
    seen_by: frozenset[str]
    answer: int | None = None

    def kwargs(self, persona: str) -> dict[str, object]:
        return {name: v.value_for(persona) if isinstance(v, Thing) else v for name, v in self.values.items()}


def samples(world: World, policy: Policy) -> list[Sample]:
    """One sample per object of the policy's target (with its own parts), and, for a URL with parts, the first
    visible object with a part of an object of another region: that part must not be found (404)."""
    if not policy.objects:
        return [Sample("", {}, EVERYONE)]
    [(name, target)] = policy.targets.items()
    parts = policy.parts
    out = []
    for thing in world.things[target]:
        if not all(part in thing.parts for part in parts.values()):
            continue
        values = {name: thing} | {part_name: thing.parts[part] for part_name, part in parts.items()}
        out.append(Sample(thing.label, values, thing.seen_by, thing.answer))
    for part_name, part in parts.items():
        if part in NOT_MIXED or len(out) < 2:
            continue
        host, foreign = out[0], out[-1]  # the world lists objects of region 53 first, of Île-de-France last
        values = dict(host.values) | {part_name: foreign.values[part_name]}
        out.append(Sample(f"{host.label} avec « {part_name} » de {foreign.label}", values, frozenset()))
    return out


# --- The outcome a policy implies ---------------------------------------------------------------------------------
def _holds(user, perms) -> bool:
    return not perms or any(user.can(perm) for perm in perms)


def expected(world: World, policy: Policy, persona: str, sample: Sample, *, api: bool, method: str = "GET"):
    """The status the policy implies; None for a write the caller is allowed to make (not tried here)."""
    user = world.users.get(persona)
    if policy.access == Access.PUBLIC:
        if method != "GET":
            return None
        return 302 if policy.redirects_signed_in and user else sample.answer or policy.answer
    if user is None:
        return 401 if api else 302
    if policy.access == Access.ADMIN_SITE:
        return 200 if user.is_staff else 302
    if not api and method not in policy.methods and policy.method_first:
        return 405
    if not _holds(user, policy.perms) or (policy.nation_only and not user.scope.is_nation):
        return 403
    if not api and method not in policy.methods:
        return 405
    if persona not in sample.seen_by:
        return 404
    if method == "GET":
        return sample.answer or policy.answer
    if not _holds(user, policy.write_perms):
        return 403
    if policy.domain_perms and not _holds(user, policy.domain_perms):
        return 422
    return None


# --- Reading answers -----------------------------------------------------------------------------------------------
def body_text(response) -> str:
    """The readable text of an answer: HTML unescaped, JSON with its accents, the XML inside .docx and .xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith(".xml")
            )
    text = content.decode("utf-8-sig", "replace")
    if "json" in response.get("Content-Type", ""):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def leaks(world: World, persona: str, response, *, searched: str = "") -> list[str]:
    if response.status_code != 200:
        return []
    text = body_text(response)
    return [
        f"montre {what} (« {string} »)"
        for string, what in world.forbidden(persona).items()
        if string != searched and string in text
    ]


EXPORT_LINK = re.compile(r'href="(\?[^"]*format=[^"]*)"')


def export_links(response) -> list[str]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    return sorted({html.unescape(link) for link in EXPORT_LINK.findall(response.content.decode())})


def _check_redirect(response, status: int, policy: Policy, persona: str) -> str:
    if status != 302 or response.status_code != 302:
        return ""
    location = response["Location"]
    logins = (LOGIN_URL, ADMIN_LOGIN_URL) if policy.access == Access.ADMIN_SITE else (LOGIN_URL,)
    if persona == ANONYMOUS and not location.startswith(logins):
        return f"renvoie vers {location} au lieu de la page de connexion"
    if policy.access == Access.ADMIN_SITE and persona != ANONYMOUS and not location.startswith(ADMIN_LOGIN_URL):
        return f"renvoie vers {location} au lieu de la connexion à l'administration"
    return ""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    calls: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def check(self) -> None:
        assert not self.problems, f"{len(self.problems)} écart(s) :\n" + "\n".join(self.problems)


CALLS = {"pages": 0, "api": 0, "writes": 0, "exports": 0}


@pytest.fixture(scope="module", autouse=True)
def _tally(request):
    """Prints how many calls the matrix made, once the module has run."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and any(CALLS.values()):
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nmatrice d'accès : {sum(CALLS.values())} appels ({CALLS})")


def worth_calling(world: World, policy: Policy, persona: str, all_samples: list[Sample], **options) -> list[Sample]:
    """Every sample when the answer depends on the object. An anonymous visitor is turned away from every object
    alike: one call. A role refused by its permission: the first and the last object — one in scope, one out of
    it: the refusal must come before the object is even looked up (403, not 404)."""
    statuses = {expected(world, policy, persona, s, **options) for s in all_samples}
    if persona == ANONYMOUS and statuses <= {302, 401}:
        return all_samples[:1]
    if statuses == {403}:
        return [all_samples[0]] if len(all_samples) == 1 else [all_samples[0], all_samples[-1]]
    return all_samples


def test_the_world_has_objects_for_every_target_a_policy_names(world):
    """A new kind of object in the registry needs objects here, in and out of scope, before the matrix can call it."""
    missing = []
    for key, policy in [*POLICIES.items(), *API_POLICIES.items()]:
        for target in policy.targets.values():
            things = world.things.get(target, [])
            scoped = policy.access != Access.PUBLIC
            if not things or (scoped and not any(SIGNED_IN - t.seen_by for t in things)):
                missing.append(f"{key} : objets « {target} » dans et hors du périmètre (World.things)")
        for part in policy.parts.values():
            if not any(part in t.parts for things in world.things.values() for t in things):
                missing.append(f"{key} : partie « {part} » d'un objet (Thing.parts)")
    assert not missing, "\n".join(missing)


def test_the_leak_check_would_see_a_row_outside_the_scope(world):
    """The check is not vacuous: what the national cell reads holds what a Bretagne agent must not see."""
    national = world.clients["national"]
    shown = leaks(world, "dreets_agent", national.get(reverse("organisations:spsti_list")))
    shown += leaks(world, "dreets_agent", national.get(reverse("contracts:contract_list")))
    shown += leaks(world, "dreets_agent", national.get(reverse("reports:values_export"), {"annee": YEAR}))
    shown += leaks(
        world, "ars_reader", national.get(reverse("contracts:contract_docx", args=[world.contracts["draft_a"].pk]))
    )
    for string in (world.services["IDF"].name, world.services["IDF"].siret, world.contracts["signed_idf"].reference):
        assert any(string in leak for leak in shown), string
    assert any(world.contracts["draft_a"].reference in leak for leak in shown)


# --- Pages ------------------------------------------------------------------------------------------------------------
def _page_urls(world: World, key: str, policy: Policy, persona: str) -> list[tuple[str, Sample]]:
    if key == "admin:*":
        return [(reverse(name), Sample(name, {}, EVERYONE)) for name in ADMIN_SAMPLES]
    chosen = worth_calling(world, policy, persona, samples(world, policy), api=False)
    return [(reverse(key, kwargs=s.kwargs(persona)), s) for s in chosen]


@pytest.mark.parametrize("key", sorted(POLICIES))
def test_each_page_answers_every_role_as_its_policy_says(world, key):
    policy, found = POLICIES[key], Findings()
    for persona in PERSONAS:
        client = world.clients[persona]
        for url, sample in _page_urls(world, key, policy, persona):
            response = client.get(url, {} if key == "admin:*" else {"annee": YEAR})
            found.calls += 1
            status = expected(world, policy, persona, sample, api=False)
            where = f"GET {key} [{sample.label or url}] en {persona}"
            if response.status_code != status:
                found.add(f"{where} : {response.status_code} au lieu de {status}")
            if problem := _check_redirect(response, status, policy, persona):
                found.add(f"{where} : {problem}")
            found.problems += [f"{where} {leak}" for leak in leaks(world, persona, response)]
            for link in export_links(response) if world.forbidden(persona) else []:
                export = client.get(url + link)
                found.calls += 1
                CALLS["exports"] += 1
                if export.status_code != 200:
                    found.add(f"{where}, export {link} : {export.status_code}")
                found.problems += [f"{where}, export {link} {leak}" for leak in leaks(world, persona, export)]
    CALLS["pages"] += found.calls
    found.check()


SEARCHES = {
    "q": lambda w: [w.services["IDF"].name, w.services["IDF"].siret, w.services["A"].name, "Paris", "CPOM-11"],
    "region": lambda w: ["11", "53"],
    "department": lambda w: ["75", "35"],
    "theme": lambda w: ["TMS"],
}


@pytest.mark.parametrize("key", sorted(k for k, p in POLICIES.items() if p.search))
def test_no_filter_or_search_shows_a_row_outside_the_scope(world, key):
    policy, found = POLICIES[key], Findings()
    for persona in shared.PERSONAS:
        if expected(world, policy, persona, Sample("", {}, EVERYONE), api=False) != 200:
            continue
        for param in policy.search:
            for value in SEARCHES[param](world):
                response = world.clients[persona].get(reverse(key), {param: value, "annee": YEAR})
                found.calls += 1
                where = f"GET {key}?{param}={value} en {persona}"
                if response.status_code != 200:
                    found.add(f"{where} : {response.status_code}")
                found.problems += [f"{where} {leak}" for leak in leaks(world, persona, response, searched=value)]
    CALLS["pages"] += found.calls
    found.check()


# --- API reads ------------------------------------------------------------------------------------------------------
QUERY = {"year": YEAR, "before": 1, "after": 1}


def _api_path(key: str, sample: Sample, persona: str) -> tuple[str, str]:
    method, path = key.split(" ", 1)
    kwargs = sample.kwargs(persona)
    return method, re.sub(r"\{(\w+)\}", lambda m: str(kwargs.pop(m.group(1), QUERY.get(m.group(1)))), path)


def _api_call(world: World, persona: str, method: str, path: str, **options):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.keys[persona]}"} if persona != ANONYMOUS else {}
    call = getattr(Client(), method.lower())
    return call(path, **options, **headers)


def _required_query(document: dict, key: str) -> dict:
    method, path = key.split(" ", 1)
    operation = document["paths"][path][method.lower()]
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
    unknown = set(names) - set(QUERY)
    assert not unknown, f"{key} : donner une valeur d'essai au paramètre {sorted(unknown)} (QUERY)"
    return {name: QUERY[name] for name in names}


@pytest.fixture(scope="module")
def openapi():
    return Client().get("/api/openapi.json").json()


@pytest.mark.parametrize("key", sorted(k for k in API_POLICIES if k.startswith("GET ")))
def test_each_api_read_answers_every_role_as_its_policy_says(world, openapi, key):
    policy, found = API_POLICIES[key], Findings()
    query = _required_query(openapi, key)
    for persona in PERSONAS:
        for sample in worth_calling(world, policy, persona, samples(world, policy), api=True):
            method, path = _api_path(key, sample, persona)
            response = _api_call(world, persona, method, path, data=query)
            found.calls += 1
            status = expected(world, policy, persona, sample, api=True)
            where = f"{key} [{sample.label or path}] en {persona}"
            if response.status_code != status:
                found.add(f"{where} : {response.status_code} au lieu de {status}")
            found.problems += [f"{where} {leak}" for leak in leaks(world, persona, response)]
        for param in policy.search:
            for value in SEARCHES[param](world):
                if persona == ANONYMOUS or expected(world, policy, persona, samples(world, policy)[0], api=True) != 200:
                    continue
                response = _api_call(world, persona, "GET", key.split(" ", 1)[1], data=query | {param: value})
                found.calls += 1
                where = f"{key}?{param}={value} en {persona}"
                found.problems += [f"{where} {leak}" for leak in leaks(world, persona, response, searched=value)]
    CALLS["api"] += found.calls
    found.check()


# --- Writes: refused, and nothing changes ------------------------------------------------------------------------
def _today() -> str:
    return timezone.localdate().isoformat()


def _signature(v: dict) -> dict:
    return {"party": v["party"], "signed_on": _today(), "signatory_title": "Directeur"}


BODIES: dict[str, Callable[[dict], dict | None]] = {
    "POST /api/services": lambda v: {
        "siret": "73282932000074",
        "name": "Service essai",
        "headquarters_department": "35",
        "employees_followed": 10,
        "member_companies": 2,
    },
    "PUT /api/services/{siret}": lambda v: {
        "siret": v["siret"],
        "name": "Service renommé",
        "headquarters_department": "35",
        "employees_followed": 10,
        "member_companies": 2,
    },
    "POST /api/services/{siret}/approvals": lambda v: {"start": "2031-01-01", "end": "2032-12-31"},
    "POST /api/services/{siret}/certifications": lambda v: {
        "level": "niveau_3",
        "certifier": "Organisme",
        "certified_on": _today(),
    },
    "POST /api/services/{siret}/merger": lambda v: {"into": v["siret"], "on": _today()},
    "POST /api/contracts": lambda v: {"services": [v["services"]]},
    "POST /api/contracts/{contract_id}/consultation": lambda v: None,
    "POST /api/contracts/{contract_id}/opinions": lambda v: {
        "body": "ars",
        "given_on": _today(),
        "opinion": "favorable",
    },
    "POST /api/contracts/{contract_id}/signatures": _signature,
    "POST /api/contracts/{contract_id}/amendments": lambda v: {"kind": "modification", "summary": "Essai"},
    "POST /api/contracts/{contract_id}/amendments/{number}/signatures": _signature,
    "POST /api/contracts/{contract_id}/termination": lambda v: {
        "party": v["party"],
        "notified_on": _today(),
        "effective_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "reason": "Essai",
        "registered_letter_reference": "RAR-1",
    },
    "PUT /api/reports/{report_id}/values": lambda v: {"version": 1, "values": {}},
    "POST /api/collections/{year}": lambda v: None,
    "POST /api/reports/{report_id}/submit": lambda v: None,
    "POST /api/reports/{report_id}/validate": lambda v: None,
    "POST /api/reports/{report_id}/return": lambda v: {"comment": "Essai"},
    "POST /api/reports/{report_id}/reopen": lambda v: {"reason": "Essai"},
}
SKIPPED_TABLES = {"sessions.session", "admin.logentry", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
SKIPPED_FIELDS = {"api.apitoken": {"last_used_at"}}


def fingerprint() -> dict[str, str]:
    """A digest of every table (sessions, login logs and token use dates left out)."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in SKIPPED_TABLES or not model._meta.managed or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED_FIELDS.get(label, ())]
        rows = model._base_manager.order_by("pk").values_list(*names)
        digests[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


WRITE_PAGES = sorted(k for k, p in POLICIES.items() if p.access == Access.SIGNED_IN and p.methods - {"GET"})
WRITE_OPERATIONS = sorted(k for k in API_POLICIES if not k.startswith("GET "))


@pytest.mark.parametrize("key", WRITE_PAGES + WRITE_OPERATIONS)
def test_a_refused_write_answers_as_the_policy_says_and_changes_nothing(world, key):
    api = key in API_POLICIES
    policy, found = (API_POLICIES if api else POLICIES)[key], Findings()
    before = fingerprint()
    method = key.split(" ", 1)[0] if api else "POST"
    for persona in PERSONAS:
        for sample in worth_calling(world, policy, persona, samples(world, policy), api=api, method=method):
            status = expected(world, policy, persona, sample, api=api, method=method)
            if status is None:
                continue  # allowed: the feature tests cover it
            if api:
                _, path = _api_path(key, sample, persona)
                body = BODIES[key](sample.kwargs(persona))
                options = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
                response = _api_call(world, persona, method, path, **options)
                where = f"{key} [{sample.label or path}] en {persona}"
            else:
                response = world.clients[persona].post(reverse(key, kwargs=sample.kwargs(persona)), {})
                where = f"POST {key} [{sample.label or '-'}] en {persona}"
            found.calls += 1
            if response.status_code != status:
                found.add(f"{where} : {response.status_code} au lieu de {status}")
    after = fingerprint()
    changed = sorted(label for label in before if before[label] != after[label])
    if changed:
        found.add(f"{key} : des écritures refusées ont modifié {', '.join(changed)}")
    CALLS["writes"] += found.calls
    found.check()


def test_every_write_operation_has_a_request_body_to_try():
    assert set(WRITE_OPERATIONS) <= set(BODIES), sorted(set(WRITE_OPERATIONS) - set(BODIES))


def test_a_file_of_values_outside_the_scope_is_refused_and_changes_nothing(world):
    """The CSV import takes its reports from the file, not from the URL: a row of a service outside the scope is
    refused, nothing is written and nothing about that service is shown — not even whether it owes a report; only
    the service itself imports its values (issue 16, items 9 and 11)."""
    report = Report.objects.get(spsti=world.services["IDF"], year=YEAR)
    reopen(by=world.users["dreets_agent_other_region"], report=report, reason="Correction demandée.")
    siret = world.services["IDF"].siret
    content = f"annee;siret;theme;indicateur;valeur\n{YEAR};{siret};TMS;ETAB_ACCOMPAGNES;99\n".encode()
    unknown = f"annee;siret;theme;indicateur;valeur\n{YEAR};35600000000048;TMS;ETAB_ACCOMPAGNES;99\n".encode()

    def upload(client, data=content):
        file = SimpleUploadedFile("valeurs.csv", data, content_type="text/csv")
        return client.post(reverse("reports:values_import"), {"fichier": file})

    for persona in ("spsti_referent", "other_spsti_referent"):
        before = fingerprint()
        response = upload(world.clients[persona])
        assert response.status_code == 200, persona
        assert fingerprint() == before, f"{persona} a écrit dans un rapport hors de son périmètre"
        assert not leaks(world, persona, response, searched=siret), persona

        def told(answer, number):
            errors = re.findall(r"<li>(Ligne [^<]*)</li>", body_text(answer))
            assert errors, "the refusal names the line"
            return [error.replace(number, "SIRET") for error in errors]

        assert told(response, siret) == told(upload(world.clients[persona], unknown), "35600000000048"), (
            "the answer tells an out-of-scope SIRET that owes a report from an unknown one"
        )
    for persona in ("dreets_agent", "caisse_agent", "dreets_agent_other_region", "admin"):
        before = fingerprint()
        assert upload(world.clients[persona]).status_code == 403, persona
        assert fingerprint() == before, persona
    own = UserFactory(email="referent-idf@cpom.test", role=Role.SPSTI_REFERENT, organisation=world.services["IDF"])
    client = Client()
    client.force_login(own)
    assert upload(client).status_code == 200
    assert current_values(report)["ETAB_ACCOMPAGNES|TMS"] == "99"


CHANNEL_VALUE = "ETAB_ACCOMPAGNES|TMS"


def _write_through(world: World, channel: str, persona: str, report: Report, value: str):
    """Writes `value` into `report` through `channel` as `persona`; returns the HTTP status."""
    client = world.clients[persona]
    if channel == "form":
        fields = {"version": str(report.version), CHANNEL_VALUE: value}
        return client.post(reverse("reports:report_detail", args=[report.pk]), fields).status_code
    if channel == "api":
        body = {"version": report.version, "values": {CHANNEL_VALUE: value}}
        path = f"/api/reports/{report.pk}/values"
        return _api_call(world, persona, "PUT", path, data=body, content_type="application/json").status_code
    if channel == "excel":
        fields = {"confirmer": "1", "version": str(report.version), f"valeur:{CHANNEL_VALUE}": value}
        return client.post(reverse("reports:excel_upload", args=[report.pk]), fields).status_code
    siret = report.spsti.siret
    content = f"annee;siret;theme;indicateur;valeur\n{report.year};{siret};TMS;ETAB_ACCOMPAGNES;{value}\n".encode()
    file = SimpleUploadedFile("valeurs.csv", content, content_type="text/csv")
    return client.post(reverse("reports:values_import"), {"fichier": file}).status_code


@pytest.mark.parametrize("channel", ["form", "api", "excel", "csv"])
def test_only_the_service_itself_enters_its_report_through_every_channel(world, channel):
    """Issue 16, item 11: one rule for the form, the API, the Excel upload and the CSV import — agents of the
    region (DREETS, caisse) and everyone else are refused on a draft or returned report; the service writes."""
    report = Report.objects.get(spsti=world.services["A"], year=YEAR)
    reopen(by=world.users["admin"], report=report, reason="Correction demandée.")
    report.refresh_from_db()
    writers = {persona for persona in shared.PERSONAS if persona == "spsti_referent"}
    for persona in shared.PERSONAS:
        if persona in writers:
            continue
        before = fingerprint()
        _write_through(world, channel, persona, report, "77")
        assert fingerprint() == before, f"{persona} a écrit dans le rapport du service A par le canal {channel}"
    _write_through(world, channel, "spsti_referent", report, "77")
    assert current_values(report)[CHANNEL_VALUE] == "77", channel
