"""Evidence of an electronically signed contract PDF (issue 12, signature evidence).

A party that signs outside the platform (the State's e-signature parapheur, a qualified signature tool) gives back
the contract PDF of `cpom.contracts.pdf` with PAdES signatures in it. `verify_signed_pdf` checks it with pyHanko:

- every signature is cryptographically intact and valid (the signed bytes were not changed);
- the signatures cover the whole document: what was added after an earlier signature is only further signatures,
  after the last one only validation data or document timestamps (pyHanko's difference analysis), never content;
- the revision each signature covers carries, in its metadata, the SHA-256 of the contract version's content
  that the platform wrote when it generated the PDF, and that hash is the expected one.

Trust: the platform cannot know every certificate of the State's and the caisses' signature services. Integrity
and coverage are checked cryptographically and always enforced; whether the signer's certificate chains to a
configured trust root (`settings.SIGNATURE_TRUST_ROOTS`, a list of PEM files, empty by default) is recorded, not
enforced: without it the record says "certificat non vérifié auprès d'une autorité de confiance". No network
access is made (no CRL/OCSP fetching)."""

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cpom.core.errors import DomainError

from .pdf import CUSTOM_KEY, KEYWORD_PREFIX

logger = logging.getLogger(__name__)

# An uploaded file is untrusted input: whatever a malformed PDF makes the parser raise is a refusal, never a 500.
UNREADABLE = (
    PdfError,
    SignatureValidationError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    NotImplementedError,
    RecursionError,
    OverflowError,
    EOFError,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_LABEL = "20 Mo"
TRUSTED = "certificat vérifié auprès d'une autorité de confiance"
UNTRUSTED = "certificat non vérifié auprès d'une autorité de confiance"
SHA256 = re.compile(r"[0-9a-f]{64}")
FIELD = "document"


@dataclass(frozen=True)
class SignatureCheck:
    """One PAdES signature of the file, as verified."""

    field_name: str  # the PDF signature field
    signer_common_name: str  # CN of the signer's certificate ("" when it has none)
    signer_subject: str  # the certificate's whole subject, human readable
    signing_time: dt.datetime | None  # from a signed timestamp token if any, else as declared by the signer
    intact: bool  # the signed bytes are those the signer signed
    valid: bool  # the cryptographic signature is valid for the signer's certificate
    covers_whole_document: bool  # nothing but further signatures or form filling was added afterwards
    trusted: bool  # the certificate chains to a configured trust root
    trust_note: str  # TRUSTED or UNTRUSTED, in French, for the record
    content_sha256: str  # the content hash found in the revision this signature covers


@dataclass(frozen=True)
class PdfVerification:
    signatures: list[SignatureCheck]
    content_sha256: str  # the content hash carried by the signed revisions' metadata
    matches: bool  # it is the expected one (always True when returned: a mismatch is refused)
    document_sha256: str  # SHA-256 of the uploaded file itself


def sha256_of(data: bytes) -> str:
    """The SHA-256 of bytes, as 64 lowercase hexadecimal characters."""
    return hashlib.sha256(data).hexdigest()


def _trust_roots() -> list[x509.Certificate]:
    roots = []
    for path in getattr(settings, "SIGNATURE_TRUST_ROOTS", None) or []:
        raw = Path(path).read_bytes()
        blobs = [der for _, _, der in pem.unarmor(raw, multiple=True)] if pem.detect(raw) else [raw]
        roots += [x509.Certificate.load(der) for der in blobs]
    return roots


def _validation_context(roots: list[x509.Certificate]) -> ValidationContext:
    # An explicit (possibly empty) list of roots: never the operating system's trust store; never fetch.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _embedded_hash(reader: PdfFileReader, revision: int) -> str:
    """The content hash written by cpom.contracts.pdf in the metadata of the given revision ("" if none)."""
    try:
        info = reader.get_historical_resolver(revision).trailer_view.get("/Info")
        info = info.get_object() if info is not None else None
    except UNREADABLE:
        return ""
    if info is None:
        return ""
    custom = str(info.get(f"/{CUSTOM_KEY}", "")).strip().lower()
    if SHA256.fullmatch(custom):
        return custom
    for keyword in str(info.get("/Keywords", "")).replace(";", ",").split(","):
        keyword = keyword.strip().lower()
        if keyword.startswith(KEYWORD_PREFIX) and SHA256.fullmatch(keyword[len(KEYWORD_PREFIX) :]):
            return keyword[len(KEYWORD_PREFIX) :]
    return ""


def _common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", "") or "")


def _signing_time(status) -> dt.datetime | None:
    """The time of a signature timestamp token whose own signature is intact and valid, else the time the signer
    declares (its computer's clock)."""
    timestamp = getattr(status, "timestamp_validity", None)
    if timestamp is not None and timestamp.intact and timestamp.valid and timestamp.timestamp is not None:
        return timestamp.timestamp
    return status.signer_reported_dt


def _covers(status, last: bool) -> bool:
    """The signature covers the whole file, or only allowed updates follow its revision: further signatures
    (form filling, in pyHanko's terms) after an earlier signature; validation data or document timestamps
    (PAdES-LTA) after the last one. Anything else (new content, annotations, changed objects) is refused."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or not status.docmdp_ok:
        return False
    level = status.modification_level
    allowed = ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING
    return level is not None and level <= allowed


def verify_signed_pdf(data: bytes, *, expected_sha256: str, version_label: str = "") -> PdfVerification:
    """Verify a signed contract PDF; refuse it (DomainError, in French) unless it is a PDF, carries at least one
    signature, every signature is intact, valid and covers the whole document, and the content hash embedded in
    the signed revisions is `expected_sha256`. `version_label` only names the version in the refusal."""
    if len(data) > MAX_BYTES:
        raise DomainError(
            f"Le fichier dépasse la taille maximale de {MAX_LABEL} acceptée pour un document signé.", field=FIELD
        )
    if b"%PDF-" not in data[:1024]:
        raise DomainError("Le fichier déposé n'est pas un PDF.", field=FIELD)
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = list(reader.embedded_regular_signatures)
    except UNREADABLE as error:
        logger.info("Signed PDF unreadable: %r", error)
        raise DomainError("Le fichier PDF est illisible ou endommagé.", field=FIELD) from error
    if not embedded:
        raise DomainError(
            "Le PDF ne porte aucune signature électronique : déposez le document signé, ou enregistrez une signature "
            "manuscrite avec sa pièce jointe.",
            field=FIELD,
        )

    roots = _trust_roots()
    expected = expected_sha256.strip().lower()
    label = f"la version « {version_label} »" if version_label else "la version attendue"
    checks = []
    for index, signature in enumerate(embedded):
        name = signature.field_name or f"n° {index + 1}"
        try:
            cert = signature.signer_cert
            who = _common_name(cert) or cert.subject.human_friendly
        except UNREADABLE as error:
            raise DomainError(f"La signature {name} est illisible.", field=FIELD) from error
        try:
            status = validate_pdf_signature(signature, _validation_context(roots))
        except UNREADABLE as error:
            logger.info("Signature %s not verifiable: %r", name, error)
            raise DomainError(
                f"La signature de {who} n'a pas pu être vérifiée : le document est altéré ou la signature n'est "
                "pas une signature PAdES reconnue.",
                field=FIELD,
            ) from error
        if not status.intact:
            raise DomainError(
                f"La signature de {who} n'est plus intègre : le contenu signé a été modifié après la signature.",
                field=FIELD,
            )
        if not status.valid:
            raise DomainError(f"La signature de {who} n'est pas valide pour son certificat.", field=FIELD)
        if not _covers(status, last=index == len(embedded) - 1):
            raise DomainError(
                f"La signature de {who} ne couvre pas tout le document : du contenu a été ajouté ou modifié après "
                "la signature.",
                field=FIELD,
            )
        found = _embedded_hash(reader, signature.signed_revision)
        if not found:
            raise DomainError(
                "Le document signé ne porte pas l'empreinte du contenu du contrat : ce n'est pas un PDF produit par "
                "la plateforme pour signature.",
                field=FIELD,
            )
        if found != expected:
            raise DomainError(
                f"Le document signé ne correspond pas à {label} du contrat : son empreinte du contenu "
                f"({found[:16]}…) diffère de celle de la version ({expected[:16]}…).",
                field=FIELD,
            )
        trusted = bool(roots) and bool(status.trusted)
        checks.append(
            SignatureCheck(
                field_name=signature.field_name or "",
                signer_common_name=_common_name(cert),
                signer_subject=cert.subject.human_friendly,
                signing_time=_signing_time(status),
                intact=True,
                valid=True,
                covers_whole_document=True,
                trusted=trusted,
                trust_note=TRUSTED if trusted else UNTRUSTED,
                content_sha256=found,
            )
        )
    return PdfVerification(signatures=checks, content_sha256=expected, matches=True, document_sha256=sha256_of(data))
