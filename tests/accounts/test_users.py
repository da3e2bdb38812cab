"""Accounts: a role goes with a kind of organisation, passwords are hashed with Argon2, each role's rights
follow DESIGN §2."""

import importlib
import importlib.util

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.accounts.permissions import Perm, role_allows

from ..factories import organisation


def test_base_settings_hash_passwords_with_argon2():
    base = importlib.import_module("config.settings.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("Mot-de-passe-de-test-2026")
        assert encoded.startswith("argon2$argon2id$")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password("Mot-de-passe-de-test-2026", encoded)


def test_production_settings_keep_the_base_hashers():
    source = importlib.util.find_spec("config.settings.prod").loader.get_source("config.settings.prod")
    assert "PASSWORD_HASHERS" not in source


def test_base_settings_require_twelve_characters():
    base = importlib.import_module("config.settings.base")
    length = next(v for v in base.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator"))
    assert length["OPTIONS"]["min_length"] == 12


def test_create_user_stores_the_email_in_lower_case_and_hashes_the_password(reference):
    user = User.objects.create_user(
        "Camille.Martin@DREETS.gouv.fr",
        "Mot-de-passe-de-test-2026",
        role=Role.DREETS_AGENT,
        organisation=organisation("ETAT-53"),
    )
    assert user.email == "camille.martin@dreets.gouv.fr"
    assert user.password != "Mot-de-passe-de-test-2026"
    assert user.check_password("Mot-de-passe-de-test-2026")


def test_an_email_address_is_used_once(reference):
    User.objects.create_user("agent@cpom.test", "x" * 12, role=Role.ADMIN)
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("AGENT@cpom.test", "x" * 12, role=Role.ADMIN)
    assert error.value.message_dict == {
        "email": ["Un objet Utilisateur avec ce champ Adresse électronique existe déjà."]
    }


@pytest.mark.parametrize(
    ("role", "code", "message"),
    [
        (
            Role.DREETS_AGENT,
            "CARSAT-BR",
            "Le rôle « Agent de DREETS » ne peut pas être rattaché à « Carsat Bretagne » "
            "(Caisse régionale (CARSAT, CRAMIF, CGSS, CSS)).",
        ),
        (
            Role.CAISSE_AGENT,
            "ETAT-53",
            "Le rôle « Agent de caisse régionale (CARSAT) » ne peut pas être rattaché à « DREETS Bretagne » "
            "(Service régional de l'État (DREETS)).",
        ),
        (
            Role.ARS_READER,
            "CRPST-53",
            "Le rôle « Lecteur ARS » ne peut pas être rattaché à « CRPST Bretagne » "
            "(Comité régional de prévention et de santé au travail).",
        ),
        (
            Role.NATIONAL,
            "CNPST",
            "Le rôle « Cellule nationale (DGT, CNAM) » ne peut pas être rattaché à « CNPST » "
            "(Comité national de prévention et de santé au travail).",
        ),
        (
            Role.SOCIAL_PARTNER,
            "DGT",
            "Le rôle « Partenaire social (CRPST, CNPST) » ne peut pas être rattaché à « DGT » "
            "(Direction générale du travail).",
        ),
    ],
)
def test_a_role_that_does_not_match_its_organisation_is_refused_in_french(reference, role, code, message):
    user = User(email="compte@cpom.test", role=role, organisation=organisation(code))
    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])
    assert error.value.message_dict == {"organisation": [message]}
    with pytest.raises(ValidationError):
        User.objects.create_user("compte@cpom.test", "x" * 12, role=role, organisation=organisation(code))
    assert not User.objects.exists()


def test_a_service_referent_must_belong_to_a_service(service_a):
    with pytest.raises(ValidationError) as error:
        User(email="r@cpom.test", role=Role.SPSTI_REFERENT, organisation=organisation("ETAT-53")).full_clean(
            exclude=["password"]
        )
    assert "ne peut pas être rattaché à « DREETS Bretagne »" in error.value.message_dict["organisation"][0]
    User(email="r@cpom.test", role=Role.SPSTI_REFERENT, organisation=service_a).full_clean(exclude=["password"])


def test_every_role_but_the_administrator_needs_an_organisation(reference):
    with pytest.raises(ValidationError) as error:
        User(email="d@cpom.test", role=Role.DREETS_AGENT).full_clean(exclude=["password"])
    assert "Ce rôle exige une organisation de rattachement." in error.value.message_dict["organisation"]
    User(email="a@cpom.test", role=Role.ADMIN).full_clean(exclude=["password"])
    User(email="b@cpom.test", role=Role.ADMIN, organisation=organisation("DGT")).full_clean(exclude=["password"])


def test_the_database_refuses_an_account_without_organisation_unless_administrator(reference):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="d@cpom.test", role=Role.DREETS_AGENT)


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.DREETS_AGENT, "ETAT-53"),
        (Role.REGIONAL_PILOT, "ETAT-11"),
        (Role.CAISSE_AGENT, "CRAMIF"),
        (Role.ARS_READER, "ARS-53"),
        (Role.SOCIAL_PARTNER, "CRPST-53"),
        (Role.SOCIAL_PARTNER, "CNPST"),
        (Role.NATIONAL, "DGT"),
        (Role.NATIONAL, "CNAM"),
    ],
)
def test_each_role_is_accepted_in_its_own_kind_of_organisation(reference, role, code):
    User(email="ok@cpom.test", role=role, organisation=organisation(code)).full_clean(exclude=["password"])


def test_the_admin_site_follows_the_role_not_a_flag(reference, admin, dreets_agent):
    assert admin.is_staff and admin.is_superuser and admin.has_perm("accounts.change_user")
    assert not (dreets_agent.is_staff or dreets_agent.is_superuser or dreets_agent.has_perm("accounts.change_user"))
    admin.is_active = False
    assert not admin.is_staff


# What each role may do (DESIGN §2) with the registry, the institutions, the contracts, the regional frame and
# the admin site. (The annual reports' permissions are tested with the reports.)
CHECKED = {
    Perm.REGISTRY_VIEW,
    Perm.REGISTRY_EDIT,
    Perm.REGISTRY_SUMMARY,
    Perm.ORGANISATIONS_VIEW,
    Perm.CONTRACT_VIEW,
    Perm.CONTRACT_EDIT,
    Perm.CONTRACT_COMMENT,
    Perm.CONTRACT_OPINION,
    Perm.CAMPAIGN_EDIT,
    Perm.ADMIN_SITE,
}
EXPECTED = {
    Role.SPSTI_REFERENT: {
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_SUMMARY,
        Perm.ORGANISATIONS_VIEW,
        Perm.CONTRACT_VIEW,
        Perm.CONTRACT_COMMENT,
    },
    Role.DREETS_AGENT: {
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_SUMMARY,
        Perm.ORGANISATIONS_VIEW,
        Perm.REGISTRY_EDIT,
        Perm.CONTRACT_VIEW,
        Perm.CONTRACT_EDIT,
    },
    Role.CAISSE_AGENT: {
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_SUMMARY,
        Perm.ORGANISATIONS_VIEW,
        Perm.CONTRACT_VIEW,
        Perm.CONTRACT_EDIT,
    },
    Role.REGIONAL_PILOT: {
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_SUMMARY,
        Perm.ORGANISATIONS_VIEW,
        Perm.CONTRACT_VIEW,
        Perm.CAMPAIGN_EDIT,
    },
    Role.ARS_READER: {
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_SUMMARY,
        Perm.ORGANISATIONS_VIEW,
        Perm.CONTRACT_VIEW,
        Perm.CONTRACT_OPINION,
    },
    Role.SOCIAL_PARTNER: {Perm.REGISTRY_SUMMARY, Perm.ORGANISATIONS_VIEW, Perm.CONTRACT_VIEW},
    Role.NATIONAL: {Perm.REGISTRY_VIEW, Perm.REGISTRY_SUMMARY, Perm.ORGANISATIONS_VIEW, Perm.CONTRACT_VIEW},
    Role.ADMIN: CHECKED - {Perm.CONTRACT_COMMENT, Perm.CONTRACT_OPINION},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_the_rights_of_design_section_2(role):
    assert {perm for perm in CHECKED if role_allows(role, perm)} == EXPECTED[role]


def test_an_unknown_role_has_no_right():
    assert not any(role_allows("stagiaire", perm) for perm in Perm)
