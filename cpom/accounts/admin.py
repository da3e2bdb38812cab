from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm

from .models import Invitation, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "role", "organisation", "is_manager", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_manager", "organisation__kind"]
    search_fields = ["email", "first_name", "last_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["last_login", "date_joined", "proconnect_sub"]
    exclude = ["password"]
    change_password_form = AdminPasswordChangeForm


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only, for technical support: invitations are sent, resent and cancelled from the « Personnes » pages."""

    list_display = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "sent_at",
        "expires_at",
        "accepted_at",
        "cancelled_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
