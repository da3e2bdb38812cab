from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cpom.core.urls")),
    path("comptes/", include("cpom.accounts.urls")),
    path("", include("cpom.organisations.urls")),
    path("", include("cpom.contracts.urls")),
    path("gestion/", admin.site.urls),
]
