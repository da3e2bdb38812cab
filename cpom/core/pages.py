"""Small helpers shared by the page views: breadcrumbs, and a form whose action may be refused by a rule."""

from collections.abc import Callable

from django.contrib import messages
from django.utils import timezone

from .errors import DomainError


def crumbs(current: str, *links: tuple[str, str]) -> dict:
    return {"links": [{"url": url, "title": title} for url, title in links], "current": current}


def apply_domain_error(form, error: DomainError) -> None:
    """Show a refused rule on its field when the form has that field, else at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def submit(request, form, action: Callable[[dict], object], success: str):
    """On a valid POST run `action(cleaned_data)`; on success flash `success` and return the action's result
    (or True); on a refusal show it on the form and return None (nothing was written: actions are atomic)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    messages.success(request, success)
    return True if result is None else result


def year_param(request) -> int:
    """The followed year asked in `?annee=`: last year by default, never later than the current year."""
    default = timezone.localdate().year - 1
    try:
        year = int(request.GET.get("annee", default))
    except ValueError:
        return default
    return year if 2000 <= year <= default + 1 else default
