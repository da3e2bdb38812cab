from django.urls import reverse
from django.utils import timezone

from cpom.accounts.context_processors import navigation as base_navigation

from .selectors import nav_counts

# Navigation entry (URL name) → the to-do counter shown beside it: « Suivi annuel (4) ».
_COUNTED = {"reports:report_list": "reports", "contracts:contract_list": "contracts"}


def navigation(request) -> dict:
    """The role's navigation (accounts), each entry with the number of things to do behind it."""
    context = base_navigation(request)
    items = context["nav_items"]
    if not items:
        return context
    counts = getattr(request, "todo_counts", None)
    if counts is None:
        counts = nav_counts(request.user, timezone.localdate())
    urls = {reverse(name): key for name, key in _COUNTED.items()}
    for item in items:
        key = urls.get(item["url"])
        item["count"] = counts.get(key, 0) if key else 0
    return context
