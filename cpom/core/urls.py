from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("formats/", views.schemas, name="schemas"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("glossaire/", views.glossary, name="glossary"),
]
