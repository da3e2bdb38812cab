from django.urls import path

from . import campaign_views, views

app_name = "contracts"

urlpatterns = [
    path("contrats/", views.contract_list, name="contract_list"),
    path("contrats/nouveau/", views.contract_create, name="contract_create"),
    path("contrats/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contrats/<int:pk>/document.docx", views.contract_docx, name="contract_docx"),
    path("contrats/<int:pk>/contrat.pdf", views.contract_pdf, name="contract_pdf"),
    path("contrats/<int:pk>/clauses/", views.general_terms, name="general_terms"),
    path("contrats/<int:pk>/axes/nouveau/", views.axis_create, name="axis_create"),
    path("contrats/<int:pk>/axes/<int:axis_pk>/", views.axis_update, name="axis_update"),
    path("contrats/<int:pk>/axes/<int:axis_pk>/actions/nouvelle/", views.action_create, name="action_create"),
    path("contrats/<int:pk>/actions/<int:action_pk>/", views.action_update, name="action_update"),
    path("contrats/<int:pk>/actions/<int:action_pk>/supprimer/", views.action_delete, name="action_delete"),
    path("contrats/<int:pk>/engagements/catalogue/", views.commitments_from_catalogue, name="commitments_catalogue"),
    path("contrats/<int:pk>/engagements/nouveau/", views.commitment_edit, name="commitment_create"),
    path("contrats/<int:pk>/engagements/<int:commitment_pk>/", views.commitment_edit, name="commitment_update"),
    path(
        "contrats/<int:pk>/engagements/<int:commitment_pk>/supprimer/",
        views.commitment_delete,
        name="commitment_delete",
    ),
    path("contrats/<int:pk>/indicateurs/nouveau/", views.indicator_create, name="indicator_create"),
    path("contrats/<int:pk>/indicateurs/<int:row_pk>/cibles/", views.targets_edit, name="targets_edit"),
    path("contrats/<int:pk>/conventions/nouvelle/", views.convention_create, name="convention_create"),
    path("contrats/<int:pk>/commentaires/", views.comment_create, name="comment_create"),
    path("contrats/<int:pk>/consultation/", views.send_for_consultation, name="send_for_consultation"),
    path("contrats/<int:pk>/negociation/", views.back_to_negotiation, name="back_to_negotiation"),
    path("contrats/<int:pk>/avis/", views.opinion_create, name="opinion_create"),
    path("contrats/<int:pk>/signature/", views.signature_create, name="signature_create"),
    path("contrats/<int:pk>/avenants/nouveau/", views.amendment_create, name="amendment_create"),
    path("contrats/<int:pk>/avenants/<int:amendment_pk>/signature/", views.amendment_sign, name="amendment_sign"),
    path("contrats/<int:pk>/denonciation/", views.termination_create, name="termination_create"),
    path("contrats/<int:pk>/versions/", views.version_compare, name="version_compare"),
    path("campagnes/", campaign_views.campaign_list, name="campaign_list"),
    path("campagnes/nouvelle/", campaign_views.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:pk>/thematiques/", campaign_views.priority_themes, name="priority_themes"),
    path("campagnes/<int:pk>/groupes/nouveau/", campaign_views.group_create, name="group_create"),
    path(
        "campagnes/<int:pk>/groupes/<int:group_pk>/documents/nouveau/",
        campaign_views.document_create,
        name="document_create",
    ),
    path("campagnes/<int:pk>/indicateurs/nouveau/", campaign_views.indicator_create, name="regional_indicator_create"),
]
