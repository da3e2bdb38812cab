from django.contrib import admin
from django.urls import include, path

from cpom.api.api import urls as api_urls

urlpatterns = [
    path("", include("cpom.workspace.urls")),
    path("", include("cpom.core.urls")),
    path("", include("cpom.notifications.urls")),
    path("comptes/", include("cpom.accounts.urls")),
    path("comptes/jetons/", include("cpom.api.urls")),
    path("", include("cpom.organisations.urls")),
    path("", include("cpom.contracts.urls")),
    path("", include("cpom.reports.urls")),
    path("", include("cpom.steering.urls")),
    path("api/", api_urls()),
    path("gestion/", admin.site.urls),
]
