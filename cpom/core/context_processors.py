from django.conf import settings


def site(request) -> dict:
    """Replaces django-dsfr's database-backed SITE_CONFIG: the same keys, no query per page."""
    return {
        "SITE_CONFIG": {
            "site_title": settings.SITE_TITLE,
            "site_tagline": settings.SITE_TAGLINE,
            "header_brand_html": "Ministère<br>du Travail<br>et des<br>Solidarités",
            "footer_brand_html": "Ministère<br>du Travail<br>et des Solidarités",
            "footer_brand": "Ministère du Travail et des Solidarités",
            "footer_description": (
                "Plateforme de suivi des contrats pluriannuels d'objectifs et de moyens (CPOM) "
                "liant les SPSTI, les DREETS et les caisses régionales."
            ),
            "beta_tag": True,
            "support_email": settings.SUPPORT_EMAIL,
            "mourning": False,
        }
    }
