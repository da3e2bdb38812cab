from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.report_list, name="report_list"),
    path("rapports/campagnes/", views.campaign_list, name="campaign_list"),
    path("rapports/import/", views.values_import, name="values_import"),
    path("rapports/export.csv", views.values_export, name="values_export"),
    path("rapports/enquete-annuelle.csv", views.survey_csv, name="survey_csv"),
    path("rapports/enquete-annuelle.xlsx", views.survey_xlsx, name="survey_xlsx"),
    path("rapports/<int:pk>/", views.report_detail, name="report_detail"),
    path("rapports/<int:pk>/modele.xlsx", views.excel_template, name="excel_template"),
    path("rapports/<int:pk>/depot-excel/", views.excel_upload, name="excel_upload"),
    path("rapports/<int:pk>/valider/", views.report_validate, name="report_validate"),
    path("rapports/<int:pk>/renvoyer/", views.report_return, name="report_return"),
    path("rapports/<int:pk>/rouvrir/", views.report_reopen, name="report_reopen"),
    path("rapports/<int:pk>/historique/", views.value_history, name="value_history"),
    path("rapports/<int:pk>/examen/", views.review_desk, name="review_desk"),
    path("rapports/<int:pk>/transmettre/", views.report_submit, name="report_submit"),
    path("rapports/<int:pk>/accuse-de-reception/", views.report_receipt, name="report_receipt"),
    path("rapports/<int:pk>/relancer/", views.report_remind, name="report_remind"),
    path("rapports/validation-groupee/", views.bulk_validate, name="bulk_validate"),
]
