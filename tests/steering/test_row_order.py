"""Rows of indicator tables follow the contract's annex: totals then their "dont", interconnaissance last."""

from cpom.indicators.legends import row_order


def test_a_dont_row_sits_right_under_its_total_and_interconnaissance_comes_last():
    rows = [
        ("CDPRP_REUNIONS", None, ""),
        ("ETAB_FORMES_COG", "ETAB_FORMES", "Troubles musculo-squelettiques"),
        ("ETAB_FORMES", None, "Troubles musculo-squelettiques"),
        ("ETAB_FORMES_COG", "ETAB_FORMES", "Risques psychosociaux"),
        ("ETAB_FORMES", None, "Risques psychosociaux"),
        ("PDP_SALARIES_ACCOMPAGNES", None, ""),
    ]
    assert [(code, theme) for code, _, theme in sorted(rows, key=lambda row: row_order(*row))] == [
        ("ETAB_FORMES", "Risques psychosociaux"),
        ("ETAB_FORMES_COG", "Risques psychosociaux"),
        ("ETAB_FORMES", "Troubles musculo-squelettiques"),
        ("ETAB_FORMES_COG", "Troubles musculo-squelettiques"),
        ("PDP_SALARIES_ACCOMPAGNES", ""),
        ("CDPRP_REUNIONS", ""),
    ]


def test_percentages_are_rounded_half_up_not_truncated():
    from cpom.core.templatetags.cpom_tables import cell_text

    assert cell_text(10 / 18, "percent") == "55,6 %"
    assert cell_text(0.5765, "percent") == "57,7 %"
