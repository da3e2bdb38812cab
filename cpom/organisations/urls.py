from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("registre/", views.spsti_list, name="spsti_list"),
    path("registre/nouveau/", views.spsti_create, name="spsti_create"),
    path("registre/<int:pk>/", views.spsti_detail, name="spsti_detail"),
    path("registre/<int:pk>/modifier/", views.spsti_update, name="spsti_update"),
    path("registre/<int:pk>/agrements/nouveau/", views.approval_create, name="approval_create"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
