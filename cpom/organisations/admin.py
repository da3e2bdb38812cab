from django.contrib import admin

from .models import Approval, Organisation, ServiceProject, ServiceProjectPriority, Spsti


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "code"]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0


@admin.register(Spsti)
class SpstiAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "region", "employees_followed", "category"]
    list_filter = ["region", "category"]
    search_fields = ["name", "siret"]
    inlines = [ApprovalInline]

    def has_delete_permission(self, request, obj=None):
        return False  # archive (dissolution date) rather than delete


class PriorityInline(admin.TabularInline):
    model = ServiceProjectPriority
    extra = 0


@admin.register(ServiceProject)
class ServiceProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "spsti", "start", "end"]
    inlines = [PriorityInline]
