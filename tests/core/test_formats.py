"""French formats everywhere: 18 300 000 (narrow no-break space, cpom/core/formats) and 31/12/2025."""

import datetime as dt

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from ..factories import ApprovalFactory, SpstiFactory

NNBSP = "\u202f"


def test_the_french_format_module_is_the_project_one():
    with translation.override("fr"):
        assert formats.get_format("THOUSAND_SEPARATOR") == NNBSP
        assert formats.get_format("DECIMAL_SEPARATOR") == ","
        assert formats.get_format("DATE_FORMAT") == "d/m/Y"
        assert intcomma(18_300_000) == f"18{NNBSP}300{NNBSP}000"
        assert formats.number_format(1234.5, decimal_pos=1) == f"1{NNBSP}234,5"
        assert (
            Template("{{ day|date }} {{ day|date:'SHORT_DATE_FORMAT' }}").render(
                Context({"day": dt.date(2025, 12, 31)})
            )
            == "31/12/2025 31/12/2025"
        )


def test_a_service_of_18_3_million_employees_reads_18_300_000_and_its_approval_31_12_2025(
    reference, dreets_agent, login
):
    spsti = SpstiFactory(name="Grand service", department="35", employees_followed=18_300_000, member_companies=1234)
    ApprovalFactory(spsti=spsti, start=dt.date(2021, 1, 1), end=dt.date(2025, 12, 31))
    client = login(dreets_agent)
    detail = client.get(reverse("organisations:spsti_detail", args=[spsti.pk])).content.decode()
    assert f'<dd class="cpom-figure">18{NNBSP}300{NNBSP}000</dd>' in detail
    assert f'<dd class="cpom-figure">1{NNBSP}234</dd>' in detail
    assert "<td>01/01/2021</td>" in detail
    assert "<td>31/12/2025</td>" in detail
    listing = client.get(reverse("organisations:spsti_list")).content.decode()
    assert f'<td class="fr-cell--right cpom-figure">18{NNBSP}300{NNBSP}000</td>' in listing
    assert "jusqu'au 31/12/2025" in listing
    assert "18,300,000" not in listing + detail
    assert "2025-12-31" not in listing + detail


def test_the_home_page_figures_are_grouped_by_thousands(reference, national, login):
    for employees in (18_000_000, 250_000, 50_000):
        ApprovalFactory(spsti=SpstiFactory(employees_followed=employees))
    response = login(national).get(reverse("workspace:home"))
    assert response.context["summary"].employees == 18_300_000
    assert f'<p class="fr-tile__title cpom-figure">18{NNBSP}300{NNBSP}000</p>' in response.content.decode()
