from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .models import Delivery


@require_http_methods(["GET", "POST"])
def preferences(request):
    """« Mes notifications »: per kind of message, immediately, in a daily digest, or never."""
    user = request.user
    if request.method == "POST":
        services.set_preferences(
            user, {kind.code: request.POST.get(kind.code, "") for kind in services.kinds_for(user)}
        )
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notifications:preferences")
    kinds = [{"kind": kind, "delivery": services.delivery_of(user, kind.code)} for kind in services.kinds_for(user)]
    return render(
        request,
        "notifications/preferences.html",
        {
            "page_title": "Mes notifications",
            "breadcrumb_data": {"links": [], "current": "Mes notifications"},
            "kinds": kinds,
            "choices": Delivery.choices,
            "received": user.notifications.order_by("-created_at")[:20],
        },
    )
