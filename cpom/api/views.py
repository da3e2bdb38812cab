"""« Jetons d'API » page: each user creates and revokes personal tokens for their service's software."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cpom.core.forms import Form
from cpom.core.pages import crumbs

from .models import ApiToken

MAX_ACTIVE_TOKENS = 5


class TokenForm(Form):
    label = forms.CharField(
        label="Libellé du jeton", max_length=100, help_text="Par exemple : logiciel métier du service."
    )


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    tokens = ApiToken.objects.filter(user=request.user)
    if request.method == "POST" and form.is_valid():
        if tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            form.add_error(None, f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un d'abord.")
        else:
            _, new_key = ApiToken.issue(user=request.user, label=form.cleaned_data["label"])
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
