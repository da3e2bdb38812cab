"""Two `send_notifications` runs at once never send a message twice (SELECT … FOR UPDATE SKIP LOCKED)."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from cpom.notifications.models import OutgoingEmail
from cpom.notifications.services import send_pending


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED: PostgreSQL")
def test_two_runs_at_once_send_each_message_exactly_once():
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(recipient=f"personne-{n}@cpom.test", kind="test", subject=f"Message {n}", body_text="…")
        for n in range(60)
    )
    runs, start = [], threading.Barrier(2)

    def worker():
        try:
            start.wait()
            runs.append(send_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(run.sent for run in runs) == 60
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Message {n}" for n in range(60))
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
