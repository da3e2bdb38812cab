"""Documents attached as evidence of a signature or an opinion recorded on a party's behalf (DESIGN §5).

A scan (PDF, PNG or JPEG) is kept as "signature manuscrite (pièce jointe)"; a PDF carrying electronic signatures
(PAdES) is verified first — every signature intact and covering the whole file, and the text it carries is the
version being signed — and refused otherwise. The file and its SHA-256 are stored with the record.
"""

import hashlib
from dataclasses import dataclass

from cpom.core.errors import DomainError

from .enums import EvidenceMethod

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_KINDS = {b"%PDF-": "PDF", b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@dataclass(frozen=True)
class AttachedDocument:
    name: str
    data: bytes


def _kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _KINDS.items() if data.startswith(magic)), None)


def _is_signed_pdf(data: bytes) -> bool:
    return b"/ByteRange" in data and b"/Sig" in data


def evidence_fields(
    document: AttachedDocument | None, *, expected_sha256: str, scan_method: str, version_label: str = ""
) -> dict:
    """The Evidence fields for `document`, or a refusal in French; {} without a document."""
    if document is None:
        return {}
    if not document.data:
        raise DomainError("Le document joint est vide.", field="document")
    if len(document.data) > MAX_DOCUMENT_BYTES:
        raise DomainError(
            f"Le document joint dépasse {MAX_DOCUMENT_BYTES // (1024 * 1024)} Mo : joignez un fichier plus léger.",
            field="document",
        )
    kind = _kind(document.data)
    if kind is None:
        raise DomainError(
            "Le document joint doit être un PDF (signé électroniquement ou scanné) ou une image PNG ou JPEG.",
            field="document",
        )
    fields = {
        "document_name": (document.name or f"document.{kind.lower()}")[:200],
        "document": document.data,
        "document_sha256": hashlib.sha256(document.data).hexdigest(),
        "method": scan_method,
    }
    if kind == "PDF" and _is_signed_pdf(document.data):
        from .evidence import verify_signed_pdf  # pyHanko is loaded only when a signed PDF arrives

        result = verify_signed_pdf(document.data, expected_sha256=expected_sha256, version_label=version_label)
        fields["method"] = EvidenceMethod.PADES
        fields["verification"] = {
            "content_sha256": result.content_sha256,
            "matches": result.matches,
            "signatures": [
                {
                    "signataire": check.signer_common_name or check.signer_subject,
                    "certificat": check.signer_subject,
                    "signé le": check.signing_time.isoformat() if check.signing_time else "",
                    "intègre": check.intact,
                    "valide": check.valid,
                    "couvre tout le document": check.covers_whole_document,
                    "confiance": check.trust_note,
                }
                for check in result.signatures
            ],
        }
    return fields
