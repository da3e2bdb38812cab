from django.contrib import admin

from .models import CogProgramme, PrstAction, RegionalPlan


class PrstActionInline(admin.TabularInline):
    model = PrstAction
    extra = 0


@admin.register(RegionalPlan)
class RegionalPlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "number", "start_year", "end_year"]
    list_filter = ["region"]
    inlines = [PrstActionInline]


@admin.register(CogProgramme)
class CogProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "branch", "start_year", "end_year"]
