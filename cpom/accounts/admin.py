from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["email", "first_name", "last_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["last_login", "date_joined"]
    exclude = ["password"]
    change_password_form = AdminPasswordChangeForm
