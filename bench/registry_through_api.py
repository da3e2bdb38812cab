"""Issue 15, measure: the demo's registry (services, approvals with renewals, mergers) loaded through the public
API alone into a database holding only the reference data, compared with `load_demo`; then the collection opened
through the API. Contracts' content cannot be written through the API yet (issue 15 item 2, the lead's part).

    DATABASE_URL=sqlite:////tmp/a.sqlite3 .venv/bin/python manage.py migrate && \
        DATABASE_URL=sqlite:////tmp/a.sqlite3 .venv/bin/python bench/registry_through_api.py dump /tmp/registry.json
    DATABASE_URL=sqlite:////tmp/b.sqlite3 .venv/bin/python manage.py migrate && \
        DATABASE_URL=sqlite:////tmp/b.sqlite3 .venv/bin/python bench/registry_through_api.py load /tmp/registry.json
"""

import json
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from cpom.accounts.enums import Role  # noqa: E402
from cpom.accounts.models import User  # noqa: E402
from cpom.api.models import ApiToken  # noqa: E402
from cpom.organisations.models import Spsti  # noqa: E402


def admin_key() -> str:
    user = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user(
        email="bench-admin@cpom.test", password=None, role=Role.ADMIN, first_name="Banc", last_name="Essai"
    )
    return ApiToken.issue(user=user, label="banc")[1]


def dump(path: str) -> None:
    seconds = None
    if not Spsti.objects.exists():
        call_command("load_reference", verbosity=0)
        started = time.perf_counter()
        call_command("load_demo", verbosity=0)
        seconds = time.perf_counter() - started
    client, headers = Client(HTTP_HOST="localhost"), {"HTTP_AUTHORIZATION": f"Bearer {admin_key()}"}
    services = [
        client.get(f"/api/services/{siret}", **headers).json()
        for siret in Spsti.objects.order_by("dissolved_on", "siret").values_list("siret", flat=True)
    ]
    Path(path).write_text(json.dumps({"load_demo_seconds": seconds, "services": services}, ensure_ascii=False))
    print(f"load_demo : {seconds} s ; {len(services)} services lus par l'API")


def load(path: str) -> None:
    data = json.loads(Path(path).read_text())
    call_command("load_reference", verbosity=0)
    client, headers = Client(HTTP_HOST="localhost"), {"HTTP_AUTHORIZATION": f"Bearer {admin_key()}"}
    calls, started = 0, time.perf_counter()

    def post(url: str, body: dict) -> dict:
        nonlocal calls
        calls += 1
        response = client.post(url, data=json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 201, (url, response.json())
        return response.json()

    fields = ["siret", "name", "short_name", "headquarters_department", "employees_followed", "member_companies"]
    fields += ["departments", "category", "sector", "city", "address"]
    for service in data["services"]:
        post("/api/services", {name: service[name] for name in fields})
        for approval in service["approvals"]:
            body = {k: approval[k] for k in ("start", "end", "zones", "conditional", "conditions", "shortened")}
            post(
                f"/api/services/{service['siret']}/approvals",
                body | {"decision_reference": approval["decision_reference"]},
            )
        for certification in reversed(service["certifications"]):
            post(
                f"/api/services/{service['siret']}/certifications",
                {k: certification[k] for k in ("level", "certifier", "certified_on")},
            )
    for service in data["services"]:
        if service["merged_into"]:
            post(
                f"/api/services/{service['siret']}/merger",
                {"into": service["merged_into"], "on": service["dissolved_on"]},
            )
    seconds = time.perf_counter() - started
    approvals = sum(len(s["approvals"]) for s in data["services"])
    print(
        f"registre par l'API : {len(data['services'])} services, {approvals} agréments, "
        f"{sum(1 for s in data['services'] if s['merged_into'])} fusions — {calls} appels, {seconds:.1f} s "
        f"(load_demo, tout compris : {data['load_demo_seconds']} s)"
    )


if __name__ == "__main__":
    {"dump": dump, "load": load}[sys.argv[1]](sys.argv[2])
