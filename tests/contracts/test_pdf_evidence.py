"""The contract's PDF for signing (cpom.contracts.pdf) and the verification of a signed copy brought back
(cpom.contracts.evidence): A4 pages carrying the reference and the content hash, PAdES signatures made in the
test with a test certificate authority, and every way a signed file must be refused, in French."""

import datetime as dt
import io

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader
from weasyprint import HTML

from cpom.contracts.enums import AxisKind
from cpom.contracts.evidence import MAX_BYTES, UNTRUSTED, sha256_of, verify_signed_pdf
from cpom.contracts.pdf import contract_pdf
from cpom.core.errors import DomainError

from .builders import add_action, build_world, complete_draft, signed_contract

pytestmark = pytest.mark.django_db

CONTENT = sha256_of(b"contenu de la version 1")
OTHER_CONTENT = sha256_of(b"contenu de la version 2")
VERSION = "Version 1 — contrat initial"
A4 = (595.28, 841.89)  # points


# --- a test certificate authority and its signers ---------------------------------------------------------------
class Authority:
    """A root CA made for the test, issuing signing certificates (EC P-256: fast to generate)."""

    def __init__(self, name: str = "Autorité de test CPOM"):
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            self._builder(subject, subject, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    @staticmethod
    def _builder(subject, issuer, public_key):
        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
        )

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def timestamper(self, at: dt.datetime) -> timestamps.DummyTimeStamper:
        """A time-stamping authority of the test, answering with a fixed time (pyHanko's dummy TSA is RSA-only)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Horodatage de test")])
        cert = (
            self._builder(subject, self.cert.subject, key.public_key())
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        der_key = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return timestamps.DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
            fixed_dt=at,
        )

    def signer(self, common_name: str) -> signers.SimpleSigner:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DREETS Bretagne"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        cert = (
            self._builder(subject, self.cert.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        der_key = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))]
            ),
        )


def sign(data: bytes, signer: signers.SimpleSigner, field: str = "Signature1", timestamper=None) -> bytes:
    """A PAdES baseline signature, as the State's parapheur would add it (incremental update)."""
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES),
        signer=signer,
        timestamper=timestamper,
    )
    return out.getvalue()


def append_text(data: bytes, text: bytes = b"Objectif : aucun") -> bytes:
    """An incremental update after signature that draws new text on the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 72 Td (" + text + b") Tj ET"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def refusal(data: bytes, expected: str = CONTENT, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        verify_signed_pdf(data, expected_sha256=expected, **kwargs)
    assert caught.value.field == "document"
    return caught.value.message


# --- fixtures ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def authority():
    return Authority()


@pytest.fixture
def world(reference):
    return build_world()


@pytest.fixture
def contract(world):
    return signed_contract(world)


@pytest.fixture
def pdf(contract) -> bytes:
    return contract_pdf(contract, content_sha256=CONTENT, version_label=VERSION)


# --- the PDF for signing ----------------------------------------------------------------------------------------
def test_the_contract_pdf_is_a4_and_shows_reference_version_and_content_hash_on_every_page(contract, pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(sorted(A4), abs=0.5)
        text = page.extract_text()
        assert f"Empreinte du contenu (SHA-256) : {CONTENT}" in text
        assert f"{contract.reference} — {VERSION}" in text
    first = reader.pages[0]
    assert float(first.mediabox.height) > float(first.mediabox.width)  # portrait; annex 1 is landscape
    whole = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("CONTEXTE", "AXES RÉGIONAUX PROPOSÉS À LA CONTRACTUALISATION", "ENGAGEMENTS DES PARTIES", "DURÉE"):
        assert heading in whole
    assert "Fiche action 1.1 — Cellule PDP" in whole


def test_the_contract_pdf_has_a_signature_block_for_each_party(contract, pdf):
    whole = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    parties = list(contract.parties.select_related("organisation"))
    assert len(parties) == 3
    for party in parties:
        assert party.organisation.name in whole
        assert f"Signé le {party.signed_on:%d/%m/%Y}" in whole
    assert whole.count("Signature\n") + whole.count("Signature ") >= len(parties)


def test_the_content_hash_is_in_the_pdf_metadata(contract, pdf):
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert f"cpom-sha256:{CONTENT}" in info["/Keywords"]
    assert info["/cpomcontentsha256"] == CONTENT
    assert info["/cpomreference"] == contract.reference
    assert info["/cpomversion"] == VERSION


def test_the_same_content_gives_the_same_pdf(contract, pdf):
    assert contract_pdf(contract, content_sha256=CONTENT, version_label=VERSION) == pdf
    other = contract_pdf(contract, content_sha256=OTHER_CONTENT, version_label="Version 2 — avenant n° 1")
    assert OTHER_CONTENT in PdfReader(io.BytesIO(other)).pages[0].extract_text()


def test_a_malformed_content_hash_is_a_programming_error(contract):
    with pytest.raises(ValueError):
        contract_pdf(contract, content_sha256="abc", version_label=VERSION)


def test_a_draft_with_ten_actions_is_laid_out_whole_in_as_many_queries_as_a_small_one(world):
    draft = complete_draft(world)
    with CaptureQueriesContext(connection) as small:
        contract_pdf(draft, content_sha256=CONTENT, version_label="Projet")
    for _ in range(8):
        add_action(world.dreets, draft, AxisKind.PREVENTION, "TMS")
    with CaptureQueriesContext(connection) as large:
        data = contract_pdf(draft, content_sha256=CONTENT, version_label="Projet")
    assert len(large) == len(small) <= 20
    whole = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Fiche action 2.9" in whole
    assert "document non signé" in whole


# --- verifying a signed copy ------------------------------------------------------------------------------------
def test_a_pdf_signed_by_a_party_is_accepted_with_the_signer_name(pdf, authority):
    signed = sign(pdf, authority.signer("Claire Martin"))
    result = verify_signed_pdf(signed, expected_sha256=CONTENT)
    assert result.matches and result.content_sha256 == CONTENT
    assert result.document_sha256 == sha256_of(signed)
    [check] = result.signatures
    assert check.signer_common_name == "Claire Martin"
    assert "DREETS Bretagne" in check.signer_subject
    assert check.intact and check.valid and check.covers_whole_document
    assert check.signing_time is not None and check.signing_time.tzinfo is not None
    assert check.content_sha256 == CONTENT
    # no trust root configured: recorded, not refused
    assert not check.trusted and check.trust_note == UNTRUSTED


def test_the_signing_time_of_a_timestamped_signature_is_the_timestamp(pdf, authority):
    at = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    signed = sign(pdf, authority.signer("Claire Martin"), timestamper=authority.timestamper(at))
    [check] = verify_signed_pdf(signed, expected_sha256=CONTENT).signatures
    assert check.signing_time == at


def test_a_signer_chaining_to_a_configured_trust_root_is_recorded_as_trusted(pdf, authority, settings, tmp_path):
    root = tmp_path / "autorite.pem"
    root.write_bytes(authority.pem())
    settings.SIGNATURE_TRUST_ROOTS = [str(root)]
    [check] = verify_signed_pdf(sign(pdf, authority.signer("Claire Martin")), expected_sha256=CONTENT).signatures
    assert check.trusted
    assert check.trust_note == "certificat vérifié auprès d'une autorité de confiance"


def test_a_signer_from_another_authority_is_recorded_as_not_trusted(pdf, authority, settings, tmp_path):
    root = tmp_path / "autre.pem"
    root.write_bytes(Authority("Autre autorité").pem())
    settings.SIGNATURE_TRUST_ROOTS = [str(root)]
    [check] = verify_signed_pdf(sign(pdf, authority.signer("Claire Martin")), expected_sha256=CONTENT).signatures
    assert not check.trusted and check.trust_note == UNTRUSTED


def test_each_party_signing_in_turn_is_accepted(pdf, authority):
    signed = sign(pdf, authority.signer("Directeur PST 35"), "SignatureSPSTI")
    signed = sign(signed, authority.signer("Directrice DREETS"), "SignatureDREETS")
    signed = sign(signed, authority.signer("Directeur Carsat"), "SignatureCARSAT")
    result = verify_signed_pdf(signed, expected_sha256=CONTENT)
    assert [c.signer_common_name for c in result.signatures] == [
        "Directeur PST 35",
        "Directrice DREETS",
        "Directeur Carsat",
    ]
    assert all(c.covers_whole_document for c in result.signatures)


def test_validation_data_added_after_the_last_signature_is_accepted(pdf, authority):
    """PAdES-LTA: a parapheur may append the certificates and revocation data (DSS) after signing."""
    out = io.BytesIO(sign(pdf, authority.signer("Claire Martin")))
    ca = asn1_x509.Certificate.load(authority.cert.public_bytes(serialization.Encoding.DER))
    DocumentSecurityStore.add_dss(out, sig_contents=None, certs=[ca], force_write=True)
    [check] = verify_signed_pdf(out.getvalue(), expected_sha256=CONTENT).signatures
    assert check.signer_common_name == "Claire Martin" and check.covers_whole_document


def test_a_pdf_tampered_after_signature_is_refused(pdf, authority):
    signed = bytearray(sign(pdf, authority.signer("Claire Martin")))
    assert signed[10] != ord("#")
    signed[10] = ord("#")  # one byte of the signed range (the binary comment after the header)
    message = refusal(bytes(signed))
    assert "Claire Martin" in message and "n'est plus intègre" in message


def test_a_pdf_whose_signed_content_stream_is_altered_is_refused(pdf, authority):
    signed = sign(pdf, authority.signer("Claire Martin"))
    middle = len(pdf) // 2  # inside the first revision, which the signature covers
    tampered = signed[:middle] + bytes([signed[middle] ^ 0x01]) + signed[middle + 1 :]
    message = refusal(tampered)
    assert "intègre" in message or "altéré" in message or "endommagé" in message


def test_any_altered_byte_or_cut_of_a_signed_pdf_is_refused_in_french(pdf, authority):
    signed = sign(pdf, authority.signer("Claire Martin"))
    for position in range(7, len(signed), len(signed) // 23):
        altered = signed[:position] + bytes([signed[position] ^ 0x20]) + signed[position + 1 :]
        if altered == signed:
            continue
        try:
            verify_signed_pdf(altered, expected_sha256=CONTENT)
        except DomainError as error:
            assert error.message.startswith(("La signature", "Le fichier", "Le PDF", "Le document")), error.message
        else:  # a byte outside the signed ranges: inside the signature value's padding only
            assert signed.rfind(b"/Contents <", 0, position) > signed.rfind(b">", 0, position)
    for cut in (len(signed) // 4, len(signed) // 2, len(signed) - 200, len(signed) - 20):
        with pytest.raises(DomainError):
            verify_signed_pdf(signed[:cut], expected_sha256=CONTENT)


def test_text_added_after_signature_is_refused(pdf, authority):
    signed = append_text(sign(pdf, authority.signer("Claire Martin")))
    message = refusal(signed)
    assert message.startswith("La signature de Claire Martin ne couvre pas tout le document")


def test_text_added_between_two_signatures_is_refused(pdf, authority):
    signed = append_text(sign(pdf, authority.signer("Claire Martin")), b"Calendrier : 2030")
    signed = sign(signed, authority.signer("Directeur Carsat"), "Signature2")
    assert "La signature de Claire Martin ne couvre pas tout le document" in refusal(signed)


def test_a_signed_pdf_of_another_version_is_refused(contract, authority):
    other = contract_pdf(contract, content_sha256=OTHER_CONTENT, version_label="Version 2 — avenant n° 1")
    signed = sign(other, authority.signer("Claire Martin"))
    message = refusal(signed, version_label=VERSION)
    assert message.startswith(f"Le document signé ne correspond pas à la version « {VERSION} » du contrat")
    assert refusal(signed).startswith("Le document signé ne correspond pas à la version attendue du contrat")


def test_a_signed_pdf_not_made_by_the_platform_is_refused(authority):
    signed = sign(HTML(string="<p>Contrat</p>").write_pdf(), authority.signer("Claire Martin"))
    assert "ne porte pas l'empreinte du contenu du contrat" in refusal(signed)


def test_a_file_that_is_not_a_pdf_is_refused():
    assert refusal(b"PK\x03\x04 un fichier Word") == "Le fichier déposé n'est pas un PDF."
    assert refusal(b"") == "Le fichier déposé n'est pas un PDF."


def test_a_damaged_pdf_is_refused(pdf):
    assert refusal(pdf[: len(pdf) // 3]) == "Le fichier PDF est illisible ou endommagé."


def test_an_unsigned_pdf_is_refused(pdf):
    assert refusal(pdf).startswith("Le PDF ne porte aucune signature électronique")


def test_a_file_over_the_size_limit_is_refused_before_reading_it():
    message = refusal(b"%PDF-1.7\n" + b"0" * MAX_BYTES)
    assert message == "Le fichier dépasse la taille maximale de 20 Mo acceptée pour un document signé."
