"""Downloads (CSV, XLSX, DOCX, PDF) with a personal API token: `Authorization: Bearer cpom_…` opens every export
of the pages with exactly the rights and scope of the token's owner, without a browser session. Only reads
(GET, HEAD) of an export are concerned; pages and writes still need the session."""

from django.http import JsonResponse

from .models import ApiToken

EXPORT_FORMATS = {"csv", "xlsx", "docx", "pdf"}
EXPORT_SUFFIXES = tuple(f".{fmt}" for fmt in EXPORT_FORMATS)


def is_export(request) -> bool:
    return request.path.endswith(EXPORT_SUFFIXES) or request.GET.get("format", "") in EXPORT_FORMATS


class ExportTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or request.path.startswith("/api/"):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD") or not is_export(request):
            return self.get_response(request)  # a page: the token is ignored, the session decides
        token = ApiToken.find(header.removeprefix("Bearer ").strip())
        if token is None:
            return JsonResponse({"detail": "Jeton d'API invalide, expiré ou révoqué."}, status=401)
        user = token.user
        user.is_verified = lambda: True  # the token stands for the owner's sign-in, second factor included
        request.user = user
        return self.get_response(request)
