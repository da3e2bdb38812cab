from django.shortcuts import render
from django.utils import timezone

from cpom.core.permissions import Perm
from cpom.organisations.selectors import registry_summary

from . import selectors


def home(request):
    """The home page is the user's to-do: what to fill, review, comment, sign, with due dates and links."""
    today = timezone.localdate()
    user = request.user
    summary = registry_summary(user) if user.can(Perm.REGISTRY_SUMMARY) else None
    sections = selectors.todo(user, today)
    request.todo_counts = selectors.counts_of(sections)  # the navigation's counters, without computing them again
    return render(
        request,
        "workspace/home.html",
        {
            "page_title": "Accueil",
            "summary": summary,
            "scope": user.scope,
            "sections": [s for s in sections if s.count],
            "nothing_to_do": not any(s.count for s in sections),
            "regions": selectors.national_completeness(user, today),
            "year": today.year - 1,
        },
    )
