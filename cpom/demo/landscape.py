"""Parameters of the synthetic national landscape (report 001 §27 and its footnotes).

Orders of magnitude only: the report counts about 200 approved SPSTI (9 % conditionally, 29 sector-specific),
86 100 employees followed on average, three quarters under 100 000, the three largest (over 400 000) in
Île-de-France and Hauts-de-France, and nearly a fifth of the small ones in Auvergne-Rhône-Alpes.
"""

TOTAL_EMPLOYEES = 18_000_000
CONDITIONAL_SHARE = 0.09
SECTOR_SERVICES = 29
MERGERS = 4

# Active services per region (INSEE region code), roughly following private-sector employment.
SERVICES_PER_REGION = {
    "11": 23,
    "84": 31,
    "32": 18,
    "44": 19,
    "75": 22,
    "76": 21,
    "93": 17,
    "52": 10,
    "53": 10,
    "28": 11,
    "27": 10,
    "24": 8,
    "94": 2,
    "04": 2,
    "01": 1,
    "02": 1,
    "03": 1,
    "06": 1,
}

# The three largest services (employees followed), by region.
LARGEST_SERVICES = [("11", 620_000), ("11", 480_000), ("32", 430_000)]

# Size classes (share of services, employees range); Auvergne-Rhône-Alpes has more small services.
SIZE_CLASSES = [(0.27, 9_000, 50_000), (0.50, 50_000, 100_000), (0.23, 100_000, 260_000)]
SIZE_CLASSES_AURA = [(0.42, 9_000, 50_000), (0.40, 50_000, 100_000), (0.18, 100_000, 260_000)]

INTERPROFESSIONAL_NAMES = [
    "Santé au travail {place}",
    "Santé prévention travail {place}",
    "Service interentreprises de santé au travail {place}",
    "Pôle santé travail {place}",
    "Association de santé au travail {place}",
    "Présence santé travail {place}",
]

SECTORS = [
    ("Bâtiment et travaux publics", "Santé au travail BTP {place}", 14),
    ("Transports et logistique", "Santé travail transports {place}", 5),
    ("Travail temporaire", "Santé au travail intérim {place}", 4),
    ("Métallurgie", "Santé travail métallurgie {place}", 3),
    ("Spectacle et audiovisuel", "Santé au travail spectacle {place}", 3),
]

PPS_PRIORITIES = [
    "Prévenir la désinsertion professionnelle et favoriser le maintien en emploi",
    "Réduire les troubles musculo-squelettiques dans les secteurs les plus exposés",
    "Accompagner les entreprises dans l'évaluation des risques (DUERP)",
    "Prévenir les risques psychosociaux et promouvoir la qualité de vie au travail",
    "Réduire l'exposition aux agents chimiques dangereux et CMR",
    "Assurer le suivi individuel de l'état de santé de tous les salariés",
    "Développer l'offre de services aux très petites entreprises",
    "Prévenir le risque routier professionnel",
]

# PRST 4 (2021-2025) actions offered to every region; each region retains a handful.
PRST_ACTIONS = [
    ("1.1", "Renforcer la culture de prévention dans les TPE-PME", None),
    ("1.2", "Accompagner l'évaluation des risques professionnels", None),
    ("2.1", "Prévenir les troubles musculo-squelettiques", "TMS"),
    ("2.2", "Prévenir les risques psychosociaux", "RPS"),
    ("2.3", "Réduire l'exposition aux risques chimiques", "RC"),
    ("2.4", "Prévenir les chutes de hauteur et de plain-pied", "CHUTES"),
    ("2.5", "Prévenir le risque routier professionnel", "RR"),
    ("3.1", "Anticiper les effets du changement climatique (chaleur)", "CANICULE"),
    ("4.1", "Repérer précocement les salariés exposés à un risque de désinsertion", "PDP"),
    ("4.2", "Prévenir l'usure et la désinsertion professionnelles : cellules PDP", "PDP"),
    ("5.1", "Développer l'interconnaissance entre acteurs régionaux de la prévention", "INTERCO"),
]

COG_PROGRAMMES = [
    ("COG-ATMP-TMS", "TMS Pros : prévention des troubles musculo-squelettiques", "TMS"),
    ("COG-ATMP-RC", "Risques chimiques Pros : réduction de l'exposition aux agents CMR", "RC"),
    ("COG-ATMP-CHUTES", "Prévention des chutes dans le BTP et la logistique", "CHUTES"),
    ("COG-ATMP-RPS", "Prévention des risques psychosociaux", "RPS"),
    ("COG-ATMP-PDP", "Prévention de la désinsertion professionnelle", "PDP"),
    ("COG-ATMP-RR", "Prévention du risque routier professionnel", "RR"),
]
COG_YEARS = (2023, 2028)

# The seats of the flagship contract's other parties, as the contract's preamble cites them.
PARTNER_SEATS = {
    "ETAT-53": ("3 bis avenue de Belle Fontaine, CS 71212, 35512 Cesson-Sévigné Cedex", "Cesson-Sévigné"),
    "CARSAT-BR": ("236 rue de Châteaugiron, 35030 Rennes Cedex 9", "Rennes"),
}

# The real service of the contract 004 (Rennes), kept as the flagship example; its SIRET is fictitious.
FLAGSHIP = {
    "code": "SPSTI-PST35",
    "name": "Prévention Santé Travail 35",
    "short_name": "PST 35",
    "siret": "77520198400017",
    "department": "35",
    "city": "Rennes",
    "address": "3, allée de la Croix des Hêtres, 35700 Rennes",
    "employees_followed": 215_000,
    "member_companies": 17_800,
    "pps_priorities": [
        "Faire évoluer l'équipe de maintien dans l'emploi vers une cellule PDP",
        "Prévenir les troubles musculo-squelettiques et les risques psychosociaux",
        "Développer l'interconnaissance avec la Carsat Bretagne et les acteurs régionaux",
        "Assurer le suivi individuel de l'état de santé des salariés",
    ],
}
