"""`GET /api/todo`: the same to-do as the home page."""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from . import selectors

router = Router(tags=["À faire"])


class TodoLineOut(Schema):
    label: str
    url: str
    due: dt.date | None
    detail: str


class TodoSectionOut(Schema):
    key: str
    title: str
    count: int
    lines: list[TodoLineOut]
    more_url: str


@router.get("", response=list[TodoSectionOut], summary="Ce que l'utilisateur a à faire, dans son périmètre")
def todo(request):
    """Each section counts all it stands for and lists at most 10 lines (`more_url`: the full list)."""
    return selectors.todo(request.user, timezone.localdate())
