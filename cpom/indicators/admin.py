from django.contrib import admin

from .models import Indicator, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "scope", "volet"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "scope", "region", "value_type", "parent"]
    list_filter = ["scope", "value_type"]
