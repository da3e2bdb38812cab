"""Demo contracts in every state, built through the contract lifecycle functions (so the demo obeys R1–R8):
first and second generations expired, third generation in force, drafts in negotiation and in consultation,
one amended, one extended, one terminated, the PACA-style regional contract, and PST 35's contract rebuilt
from the real contract 004."""

import datetime as dt
import random

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.contracts import campaigns, lifecycle, services
from cpom.contracts.attachments import AttachedDocument
from cpom.contracts.enums import AmendmentKind, AmendmentStatus, AxisKind, ContractStatus, PartyRole
from cpom.contracts.models import Campaign, CommitmentTemplate, Contract
from cpom.core.dates import add_years
from cpom.indicators.models import Theme
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.territory.models import Region

from . import landscape as L

THIRD_GENERATION_OPENED = dt.date(2024, 9, 2)
PREVENTION_THEMES = ["TMS", "RPS", "RC", "CHUTES", "RR", "CANICULE"]
SIGNATORY_TITLES = {
    PartyRole.SPSTI: "Président du service",
    PartyRole.STATE: "Directeur régional adjoint, responsable du pôle Travail",
    PartyRole.CAISSE: "Directeur de la caisse régionale",
}

PST35_CONTEXT = (
    "La loi de juillet 2011 portant réforme de la médecine du travail a instauré le contrat pluriannuel "
    "d'objectifs et de moyens (CPOM). Ce CPOM organise la convergence des priorités d'actions définies dans le "
    "projet de service du service de santé interentreprises agréé avec les objectifs du plan régional santé au "
    "travail (PRST) et ceux de la convention d'objectifs et de gestion (COG) de l'Assurance maladie.\n\n"
    "L'instruction conjointe DGT/DRP du 12 juillet 2024 décrit les objectifs de la troisième génération des CPOM : "
    "une synergie des acteurs de la santé au travail en faveur de la prévention, et un partenariat opérationnel "
    "où chaque partie contribue de manière proportionnée."
)
PST35_OBJECTIVES = (
    "Le CPOM met en œuvre régionalement les priorités de santé au travail et de prévention du plan santé au "
    "travail 4, de la loi du 2 août 2021, des COG AT/MP et maladie 2023-2028, du PRST 4, du diagnostic "
    "territorial, du projet pluriannuel du service et de la politique régionale d'agrément."
)
PST35_PDP_CELL = (
    "Un médecin du travail, un infirmier en santé au travail, un chargé de maintien en emploi et un ergonome ; "
    "l'assistante sociale de la Carsat est invitée aux réunions de la cellule, conformément à la charte régionale."
)


SIGNING_ROLES = (Role.SPSTI_REFERENT, Role.DREETS_AGENT, Role.CAISSE_AGENT)


def demo_scan(title: str) -> AttachedDocument:
    """A one-page PDF standing for a scanned paper document of the demo (the platform keeps it as evidence)."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return AttachedDocument(name=f"{title}.pdf", data=bytes(out))


class ContractsBuilder:
    def __init__(self, rng: random.Random, today: dt.date, by):
        self.rng = rng
        self.today = today
        self.by = by  # the administrator: records on a party's behalf, with the document, what no account of it signs
        self.themes = {theme.code: theme for theme in Theme.objects.all()}
        self.templates = list(CommitmentTemplate.objects.all())
        users = User.objects.filter(is_active=True, organisation__isnull=False).order_by("pk")
        self.signers = {u.organisation_id: u for u in users.filter(role__in=SIGNING_ROLES)}
        self.ars = {
            u.organisation.region_id: u for u in users.filter(role=Role.ARS_READER).select_related("organisation")
        }

    def _signer(self, party):
        """The party's own account when the demo has one; else the administrator, who then attaches the scan."""
        own = self.signers.get(party.organisation_id)
        return (own, None) if own else (self.by, demo_scan(f"Signature de {party.organisation}"))

    def build(self, *, every_service: bool = True) -> None:
        """`every_service=False` builds the frames, PST 35's contract and PACA's regional contract only."""
        third = self._campaigns()
        self._pst35(third["53"])
        self._paca_regional_contract()
        if not every_service:
            return
        services_ = list(
            Spsti.objects.active().exclude(code=L.FLAGSHIP["code"]).order_by("code").prefetch_related("approvals")
        )
        specials = {"extended": None, "terminated": None}
        for index, spsti in enumerate(services_):
            approvals = sorted(spsti.approvals.all(), key=lambda a: a.start)
            if len(approvals) < 2:
                continue
            previous, current = approvals[-2], approvals[-1]
            if spsti.region_id == "53" and index % 2 == 0:
                self._first_generation(spsti, previous)
            if spsti.region_id in ("53", "44", "84"):
                self._expired_contract(spsti, previous, generation=2)
            self._third_generation(spsti, current, third[spsti.region_id], index, specials)

    # --- frames -------------------------------------------------------------------------------------------------
    def _campaigns(self) -> dict[str, Campaign]:
        third = {}
        for region in Region.objects.order_by("code"):
            Campaign.objects.create(
                region=region, generation=2, title="CPOM de deuxième génération", opened_on=dt.date(2018, 1, 15)
            )
            campaign = campaigns.open_campaign(
                by=self.by,
                region=region,
                generation=3,
                title="CPOM de troisième génération",
                on=THIRD_GENERATION_OPENED,
            )
            chosen = [self.themes[code] for code in self.rng.sample(PREVENTION_THEMES, self.rng.randint(3, 5))]
            if region.code == "53":
                chosen = [self.themes[code] for code in PREVENTION_THEMES]
            campaigns.set_priority_themes(
                by=self.by,
                campaign=campaign,
                themes=chosen,
                crpst_validated_on=THIRD_GENERATION_OPENED + dt.timedelta(days=self.rng.randint(20, 60)),
            )
            third[region.code] = campaign
        self._bretagne_groups(third["53"])
        return third

    def _bretagne_groups(self, campaign: Campaign) -> None:
        dreets = Organisation.objects.get(code="ETAT-53")
        carsat = Organisation.objects.get(code="CARSAT-BR")
        volunteers = list(Spsti.objects.filter(region_id="53").order_by("code")[:3])
        pdp = campaigns.add_group(
            by=self.by,
            campaign=campaign,
            title="Cellules de prévention de la désinsertion professionnelle",
            theme=self.themes["PDP"],
            pilot=dreets,
            members=[carsat, *volunteers],
        )
        for kind, title, description in [
            ("methode", "Charte régionale des cellules PDP", "Fonctionnement, composition minimale, partenaires."),
            ("indicateurs", "Indicateurs régionaux de la cellule PDP", "Réunions, dossiers examinés, maintiens."),
            ("calendrier", "Calendrier de la campagne", "Négociation, consultation du CRPST, signatures."),
        ]:
            campaigns.add_document(by=self.by, group=pdp, kind=kind, title=title, description=description)
        tms = campaigns.add_group(
            by=self.by,
            campaign=campaign,
            title="Prévention des troubles musculo-squelettiques",
            theme=self.themes["TMS"],
            pilot=carsat,
            members=[dreets, *volunteers[:2]],
        )
        campaigns.add_document(
            by=self.by, group=tms, kind="methode", title="Fiche action type TMS", description="Ciblage, démarche."
        )

    # --- contracts ----------------------------------------------------------------------------------------------
    def _draft(self, services_, campaign, generation, on) -> Contract:
        contract = lifecycle.create_draft(
            by=self.by, services=services_, campaign=campaign, generation=generation, on=on
        )
        text = contract.current_version
        text.pdp_cell_composition = (
            "Un médecin du travail, un infirmier en santé au travail et un chargé de maintien en emploi."
        )
        text.context = "Contrat conclu dans le cadre de la campagne régionale de contractualisation."
        text.general_objectives = "Décliner les priorités du PRST 4 et de la COG dans le projet du service."
        text.save()
        return contract

    def _fill(self, contract: Contract, themes: list[str]) -> None:
        axes = {axis.kind: axis for axis in contract.axes.all()}
        if AxisKind.PDP in axes:
            services.save_action(
                by=self.by,
                axis=axes[AxisKind.PDP],
                data=services.ActionData(
                    title="Mettre en place une cellule PDP conforme à la charte régionale",
                    theme=self.themes["PDP"],
                    objective="Repérer plus tôt les salariés exposés à un risque de désinsertion.",
                    calendar="Première année du contrat",
                ),
            )
        prevention = axes.get(AxisKind.PREVENTION)
        for code in themes:
            axis = prevention or contract.axes.first()
            services.save_action(
                by=self.by,
                axis=axis,
                data=services.ActionData(
                    title=f"Prévenir : {self.themes[code].label[:1].lower()}{self.themes[code].label[1:]}",
                    theme=self.themes[code],
                    objective="Accompagner les entreprises ciblées et mesurer le nombre d'établissements touchés.",
                    method="Sensibilisations collectives, accompagnements individuels, communication.",
                    calendar="Chaque année du contrat",
                ),
            )
        if AxisKind.INTERCONNAISSANCE in axes:
            services.save_action(
                by=self.by,
                axis=axes[AxisKind.INTERCONNAISSANCE],
                data=services.ActionData(
                    title="Réunir au moins une fois par an le comité départemental de prévention",
                    theme=self.themes["INTERCO"],
                ),
            )
        services.add_commitments_from_catalogue(by=self.by, contract=contract, templates=self.templates)

    def _opinions(self, contract: Contract, crpst_on: dt.date, ars_on: dt.date) -> None:
        """The CRPST's opinion recorded by its secretariat with the minutes; the ARS's by its own account where the
        demo has one, else on its behalf with its letter."""
        lifecycle.record_opinion(
            by=self.by,
            contract=contract,
            body="crpst",
            given_on=crpst_on,
            opinion="favorable",
            document=demo_scan(f"Procès-verbal du CRPST — {contract.reference}"),
        )
        ars = self.ars.get(contract.region_id)
        lifecycle.record_opinion(
            by=ars or self.by,
            contract=contract,
            body="ars",
            given_on=ars_on,
            opinion="favorable",
            document=None if ars else demo_scan(f"Avis de l'ARS — {contract.reference}"),
        )

    def _consult_and_sign(self, contract: Contract, signed_on: dt.date) -> Contract:
        lifecycle.send_for_consultation(by=self.by, contract=contract, on=signed_on - dt.timedelta(days=60))
        self._opinions(contract, signed_on - dt.timedelta(days=45), signed_on - dt.timedelta(days=30))
        for offset, party in enumerate(contract.parties.order_by("role", "pk")):
            by, document = self._signer(party)
            lifecycle.record_signature(
                by=by,
                contract=contract,
                party=party,
                signed_on=signed_on - dt.timedelta(days=len(SIGNATORY_TITLES) - 1 - min(offset, 2)),
                signatory_title=SIGNATORY_TITLES[party.role],
                document=document,
            )
        contract.refresh_from_db()
        return contract

    def _first_generation(self, spsti: Spsti, previous: Approval) -> None:
        # First-generation contracts date from before the previous approval: the service held an older one.
        older_start = add_years(previous.start, -5)
        older = Approval.objects.create(
            spsti=spsti,
            start=older_start,
            end=previous.start - dt.timedelta(days=1),
            decision_reference=f"DREETS-{spsti.region_id}-{older_start:%Y}-{self.rng.randint(1, 999):03d}",
        )
        older.zones.set(spsti.departments.all())
        self._expired_contract(spsti, older, generation=1)

    def _expired_contract(self, spsti: Spsti, approval: Approval, generation: int) -> None:
        signed_on = approval.start + dt.timedelta(days=self.rng.randint(150, 400))
        contract = self._draft([spsti], None, generation, signed_on - dt.timedelta(days=120))
        contract.planned_end = approval.end
        contract.save()
        self._fill(contract, self.rng.sample(PREVENTION_THEMES, 2))
        self._consult_and_sign(contract, signed_on)

    def _third_generation(self, spsti, current: Approval, campaign: Campaign, index: int, specials: dict) -> None:
        if current.end < self.today:
            return  # approval lapsed: no contract can be signed (R3) — the compliance watch will show it
        draw = self.rng.random()
        opened = max(current.start, campaign.crpst_validated_on) + dt.timedelta(days=self.rng.randint(10, 60))
        signed_on = opened + dt.timedelta(days=self.rng.randint(120, 240))
        if draw < 0.10 or opened >= self.today:
            return  # not yet negotiated
        themes = [t.code for t in campaign.priority_themes.all()]
        contract = self._draft([spsti], campaign, None, opened)
        if draw < 0.25 or signed_on >= self.today - dt.timedelta(days=7):
            self._fill(contract, self.rng.sample(themes, 1))
            if draw > 0.20 and opened < self.today - dt.timedelta(days=30):
                lifecycle.send_for_consultation(by=self.by, contract=contract, on=self.today - dt.timedelta(days=20))
                lifecycle.record_opinion(
                    by=self.by,
                    contract=contract,
                    body="crpst",
                    given_on=self.today - dt.timedelta(days=5),
                    opinion="reserve",
                    comment="Le CRPST souhaite des cibles chiffrées pour l'action de prévention.",
                    document=demo_scan(f"Procès-verbal du CRPST — {contract.reference}"),
                )
            return
        count = 1 if spsti.employees_followed < 40_000 else self.rng.randint(1, min(3, len(themes)))
        self._fill(contract, self.rng.sample(themes, count))
        extend = False
        if specials["extended"] is None and (current.end - signed_on).days > 900 and signed_on.year < self.today.year:
            # Signed for a shorter term than the approval allows, then extended by amendment (R7).
            contract.planned_end = current.end - dt.timedelta(days=365)
            contract.save(update_fields=["planned_end"])
            extend = True
        contract = self._consult_and_sign(contract, signed_on)
        self._maybe_special(contract, specials, extend=extend)

    def _maybe_special(self, contract: Contract, specials: dict, *, extend: bool) -> None:
        after = contract.start + dt.timedelta(days=300)
        if after >= self.today or contract.end <= after + dt.timedelta(days=120) or contract.region_id < "10":
            return
        if extend:
            approval = lifecycle.current_approval(contract.parties.get(role=PartyRole.SPSTI).organisation.spsti, after)
            amendment = lifecycle.open_amendment(
                by=self.by,
                contract=contract,
                kind=AmendmentKind.EXTENSION,
                summary="Prolongation du contrat jusqu'à l'échéance de l'agrément du service.",
                new_end=min(approval.end, add_years(contract.start, 5) - dt.timedelta(days=1)),
                on=after,
            )
            self._sign_amendment(contract, amendment, after)
            specials["extended"] = contract
        elif specials["terminated"] is None:
            party = contract.parties.get(role=PartyRole.SPSTI)
            lifecycle.terminate(
                by=self.by,
                contract=contract,
                party=party,
                notified_on=after,
                effective_on=min(after + dt.timedelta(days=90), self.today - dt.timedelta(days=1)),
                reason=(
                    "Fusion avec un service voisin : un nouveau contrat sera négocié par le service issu de la fusion."
                ),
                registered_letter_reference=f"AR 1A {self.rng.randint(10**9, 10**10 - 1)}",
            )
            specials["terminated"] = contract

    def _sign_amendment(self, contract, amendment, on: dt.date) -> None:
        for party in contract.parties.all():
            by, document = self._signer(party)
            lifecycle.sign_amendment(
                by=by,
                amendment=amendment,
                party=party,
                signed_on=on + dt.timedelta(days=20),
                signatory_title=SIGNATORY_TITLES[party.role],
                document=document,
            )

    def amendment_in_preparation(self) -> Contract | None:
        """Another Bretagne contract in force gets an amendment being drafted: its proposed text differs from the
        text in force, which stays as signed until every party signs (R7)."""
        dreets = self.signers.get(Organisation.objects.get(code="ETAT-53").pk) or self.by
        contract = (
            Contract.objects.filter(region_id="53", status=ContractStatus.IN_FORCE, end__gt=self.today)
            .exclude(parties__organisation__code=L.FLAGSHIP["code"])
            .exclude(amendments__status=AmendmentStatus.OPEN)
            .order_by("reference")
            .first()
        )
        if contract is None:
            return None
        amendment = lifecycle.open_amendment(
            by=dreets,
            contract=contract,
            kind=AmendmentKind.CHANGE,
            summary="Objectif chiffré pour l'action de prévention, à la demande du CRPST.",
            on=self.today - dt.timedelta(days=10),
        )
        action = (
            (amendment.version.axes.filter(kind=AxisKind.PREVENTION).first() or amendment.version.axes.first())
            .actions.order_by("number")
            .first()
        )
        if action is not None:
            services.save_action(
                by=dreets,
                axis=action.axis,
                action=action,
                data=services.ActionData(
                    title=action.title,
                    theme=action.theme,
                    objective="Accompagner au moins 40 établissements par an parmi les plus exposés.",
                    method=action.method,
                    calendar=action.calendar,
                ),
            )
        return contract

    def _paca_regional_contract(self) -> None:
        """PACA's second generation: one regional contract signed by all the services of the region (§153)."""
        services_ = list(Spsti.objects.active().filter(region_id="93").order_by("code").prefetch_related("approvals"))
        previous = [sorted(s.approvals.all(), key=lambda a: a.start)[-2] for s in services_]
        opened = max(a.start for a in previous) + dt.timedelta(days=30)
        contract = self._draft(services_, None, 2, opened)
        contract.title = "CPOM régional Provence-Alpes-Côte d'Azur — deuxième génération"
        contract.planned_end = min(a.end for a in previous)
        contract.save()
        self._fill(contract, ["TMS", "RC"])
        self._consult_and_sign(contract, opened + dt.timedelta(days=150))

    def _pst35(self, campaign: Campaign) -> None:
        pst35 = Spsti.objects.get(code=L.FLAGSHIP["code"])
        opened = campaign.crpst_validated_on + dt.timedelta(days=15)
        contract = self._draft([pst35], campaign, None, opened)
        contract.title = "CPOM Prévention Santé Travail 35 — troisième génération"
        contract.signature_place = "Rennes"
        contract.save()
        text = contract.current_version
        text.context, text.general_objectives, text.pdp_cell_composition = (
            PST35_CONTEXT,
            PST35_OBJECTIVES,
            PST35_PDP_CELL,
        )
        text.save()
        axes = {axis.kind: axis for axis in contract.axes.all()}
        axes[AxisKind.PDP].description = (
            "Faire évoluer l'organisation des équipes techniques de maintien dans l'emploi vers le modèle des "
            "cellules PDP défini par le groupe de travail du PRST, en s'appuyant sur la charte régionale."
        )
        axes[AxisKind.PDP].save()
        axes[
            AxisKind.INTERCONNAISSANCE
        ].description = (
            "Les parties conviennent de réunir au moins une fois par an le comité départemental de prévention."
        )
        axes[AxisKind.INTERCONNAISSANCE].save()
        plan_actions = {a.code: a for a in pst35.region.regional_plans.get(number=4).actions.all()}
        priorities = list(pst35.service_projects.first().priorities.all())
        services.save_action(
            by=self.by,
            axis=axes[AxisKind.PDP],
            data=services.ActionData(
                title="Faire évoluer l'équipe de maintien dans l'emploi vers une cellule PDP",
                theme=self.themes["PDP"],
                objective="Mieux repérer les salariés exposés à un risque de désinsertion et déclencher plus tôt "
                "leur prise en charge, en coordination avec l'Assurance maladie.",
                method="Cellule pluridisciplinaire, charte régionale, réunions mensuelles, suivi des dossiers.",
                calendar="Cellule conforme à la charte dans l'année de signature",
                means_spsti="Médecins du travail, infirmiers, chargé de maintien en emploi, ergonome.",
                means_caisse="Service social régional de la Carsat Bretagne.",
                prst_actions=[plan_actions["4.2"]] if "4.2" in plan_actions else [],
                pps_priorities=priorities[:1],
            ),
        )
        for code, title in [("TMS", "Prévenir les troubles musculo-squelettiques"), ("RPS", "Prévenir les RPS")]:
            services.save_action(
                by=self.by,
                axis=axes[AxisKind.PREVENTION],
                data=services.ActionData(
                    title=title,
                    theme=self.themes[code],
                    objective="Former, accompagner et informer les établissements adhérents les plus exposés.",
                    method="Sensibilisations collectives, accompagnement des établissements prioritaires, "
                    "fiches repères par métier.",
                    calendar="Chaque année du contrat",
                    pps_priorities=priorities[1:2],
                ),
            )
        services.save_action(
            by=self.by,
            axis=axes[AxisKind.INTERCONNAISSANCE],
            data=services.ActionData(
                title="Comité départemental de prévention des risques professionnels (CDPRP)",
                theme=self.themes["INTERCO"],
                objective="Au moins une réunion par an : activités des services, AT graves, sujets thématiques.",
            ),
        )
        services.add_commitments_from_catalogue(by=self.by, contract=contract, templates=self.templates)
        lifecycle.send_for_consultation(by=self.by, contract=contract, on=opened + dt.timedelta(days=90))
        self._opinions(contract, opened + dt.timedelta(days=110), opened + dt.timedelta(days=115))
        titles = {
            PartyRole.SPSTI: "Président de PST 35",
            PartyRole.STATE: "Pour la directrice régionale, la responsable du pôle Travail",
            PartyRole.CAISSE: "Directeur de la Carsat Bretagne",
        }
        for party in contract.parties.all():  # each party from its own account
            by, document = self._signer(party)
            lifecycle.record_signature(
                by=by,
                contract=contract,
                party=party,
                signed_on=opened + dt.timedelta(days=130),
                signatory_title=titles[party.role],
                document=document,
            )
        contract.refresh_from_db()
        amended_on = contract.start + dt.timedelta(days=365)
        if amended_on < self.today - dt.timedelta(days=30):
            # A year later, an amendment adds an action on falls from height (R7).
            amendment = lifecycle.open_amendment(
                by=self.by,
                contract=contract,
                kind=AmendmentKind.CHANGE,
                summary="Ajout d'une fiche action sur la prévention des chutes de hauteur et de plain-pied.",
                on=amended_on,
            )
            services.save_action(
                by=self.by,
                axis=amendment.version.axes.get(kind=AxisKind.PREVENTION),
                data=services.ActionData(
                    title="Prévenir les chutes de hauteur et de plain-pied",
                    theme=self.themes["CHUTES"],
                    objective="Accompagner les entreprises du BTP et de la logistique adhérentes.",
                    calendar="À compter de la deuxième année du contrat",
                ),
            )
            for party in contract.parties.order_by("role"):
                by, document = self._signer(party)
                if party.role == PartyRole.CAISSE:
                    # The Carsat signed the amendment on paper: the DREETS agent records it with the scan.
                    by = self.signers.get(contract.parties.get(role=PartyRole.STATE).organisation_id, self.by)
                    document = demo_scan(f"Avenant n° 1 signé par {party.organisation}")
                lifecycle.sign_amendment(
                    by=by,
                    amendment=amendment,
                    party=party,
                    signed_on=amended_on + dt.timedelta(days=21),
                    signatory_title=titles[party.role],
                    document=document,
                )


def demo_contract_counts(today: dt.date) -> dict[str, int]:
    contracts = list(Contract.objects.only("status", "end"))
    return {
        "contrats": len(contracts),
        "dont en vigueur": sum(c.status_on(today) == ContractStatus.IN_FORCE for c in contracts),
    }
