from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def accessibility(request):
    return render(
        request,
        "core/accessibility.html",
        {"page_title": "Déclaration d'accessibilité", "breadcrumb_data": {"links": [], "current": "Accessibilité"}},
    )


@login_not_required
def legal(request):
    return render(
        request,
        "core/legal.html",
        {"page_title": "Mentions légales", "breadcrumb_data": {"links": [], "current": "Mentions légales"}},
    )


@login_not_required
def personal_data(request):
    return render(
        request,
        "core/personal_data.html",
        {
            "page_title": "Données personnelles",
            "breadcrumb_data": {"links": [], "current": "Données personnelles"},
            "inactive_days": settings.INACTIVE_ACCOUNT_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "axes_days": settings.AXES_LOG_RETENTION_DAYS,
        },
    )
