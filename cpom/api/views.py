"""« Jetons d'API » page: each user creates and revokes personal tokens for their service's software."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cpom.core.forms import Form
from cpom.core.pages import crumbs

from .models import MAX_VALIDITY_DAYS, ApiToken

MAX_ACTIVE_TOKENS = 5


class TokenForm(Form):
    label = forms.CharField(
        label="Libellé du jeton", max_length=100, help_text="Par exemple : logiciel métier du service."
    )
    expires_on = forms.DateField(
        label="Valable jusqu'au",
        required=False,
        help_text="Un an par défaut, trois ans au plus. Format : JJ/MM/AAAA",
    )
    read_only = forms.BooleanField(
        label="Lecture seule",
        required=False,
        help_text="Le jeton lit et télécharge, mais toute écriture est refusée.",
    )

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        today = timezone.localdate()
        if value is None:
            return None
        if value <= today:
            raise forms.ValidationError("La date de fin de validité doit être postérieure à aujourd'hui.")
        if value > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
            raise forms.ValidationError("Un jeton est valable trois ans au plus.")
        return value


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    tokens = ApiToken.objects.filter(user=request.user)
    if request.method == "POST" and form.is_valid():
        if tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count() >= MAX_ACTIVE_TOKENS:
            form.add_error(None, f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un d'abord.")
        else:
            _, new_key = ApiToken.issue(
                user=request.user,
                label=form.cleaned_data["label"],
                expires_on=form.cleaned_data["expires_on"],
                read_only=form.cleaned_data["read_only"],
            )
            form = TokenForm()
    return render(
        request,
        "api/token_list.html",
        {
            "page_title": "Jetons d'API",
            "breadcrumb_data": crumbs("Jetons d'API"),
            "form": form,
            "tokens": tokens,
            "new_key": new_key,
        },
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, f"Le jeton « {token.label} » est révoqué.")
    return redirect("api_tokens:token_list")
