from django.urls import path

from . import views

app_name = "steering"

urlpatterns = [
    path("pilotage/national/", views.national, name="national"),
    path("pilotage/national/bilan/", views.national_bilan, name="national_bilan"),
    path("pilotage/region/<str:code>/", views.regional, name="regional"),
    path("pilotage/region/<str:code>/bilan/", views.regional_bilan, name="regional_bilan"),
    path("pilotage/service/<int:pk>/", views.restitution, name="restitution"),
    path("pilotage/vigilance/", views.compliance_watch, name="watch"),
    path("donnees-ouvertes/", views.open_data, name="open_data"),
]
