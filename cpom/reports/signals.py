"""What the annual follow-up does when a contract's life changes (signals sent by `cpom.contracts`)."""

from django.db.models import Exists, OuterRef
from django.dispatch import receiver

from cpom.contracts.signals import contract_ended

from .enums import ReportStatus
from .models import Report, Value


@receiver(contract_ended)
def drop_reports_no_longer_owed(sender, *, contract, end, **kwargs) -> int:
    """A contract ended early (R8) owes no report for the years after its end: the untouched drafts of those years
    are removed. A report already submitted, validated or with figures typed in stays, and reads as no longer owed
    (it is not counted as owed by completeness and timeliness)."""
    untouched = Report.objects.filter(
        contract=contract, year__gt=end.year, status=ReportStatus.DRAFT, first_submitted_at__isnull=True
    ).exclude(Exists(Value.objects.filter(report_id=OuterRef("pk"))))
    deleted, _ = untouched.delete()
    return deleted
