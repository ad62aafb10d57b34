"""The audit trail for auditors: the whole chain, one initiative's trail, CSV export, verify.

Events are written only by core.audit.record_audit_event; these pages read them. Every page
runs a constant number of queries (one page of 50 events with their actors, the count, and
the filter form's choices), and the whole chain is walked only when someone asks for it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.listing import query_without, results_template
from core.models import AuditChainHead, AuditEvent
from governance.audit.forms import AuditEventFilter
from governance.audit.permissions import (
    _initiative_for_audit,
    _require_audit_reader,
    can_read_audit,
)
from governance.audit.presentation import (
    ChainVerification,
    action_prefixes,
    audit_rows,
    verify_whole_chain,
)
from portfolio.models import Initiative

PAGE_SIZE = 50


def _filtered(request: HttpRequest, base: QuerySet, *, with_initiative: bool):  # noqa: ANN202
    filterset = AuditEventFilter(
        request.GET or None, queryset=base, with_initiative=with_initiative
    )
    if filterset.is_bound and filterset.is_valid():
        return filterset, filterset.qs
    return filterset, base


def _initiative_titles(events: Sequence[AuditEvent], initiative: Initiative | None) -> dict:
    """The titles of the initiatives the page's events belong to: one query for the page's
    ids, not the whole portfolio (events keep the id, the title is read now)."""
    if initiative is not None:
        return {initiative.pk: initiative.title}
    ids = {event.initiative_id for event in events if event.initiative_id is not None}
    if not ids:
        return {}
    return dict(Initiative.objects.filter(pk__in=ids).values_list("id", "title"))


def _trail_page(
    request: HttpRequest,
    *,
    initiative: Initiative | None,
    verification: ChainVerification | None = None,
) -> TemplateResponse:
    base = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if initiative is not None:
        base = base.filter(initiative_id=initiative.pk)
    filterset, events = _filtered(request, base, with_initiative=initiative is None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    template = results_template(request, "governance/audit/trail.html", "audit-results")
    rows = audit_rows(page.object_list, _initiative_titles(page.object_list, initiative))
    return TemplateResponse(
        request,
        template,
        {
            "initiative": initiative,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "rows_not_matching_hash": sum(not row.intact for row in rows),
            "query_without_page": query_without(request, "page"),
            "query_string": request.GET.urlencode(),
            "trail_url": reverse("governance:initiative_audit_trail", args=[initiative.pk])
            if initiative is not None
            else reverse("governance:audit_trail"),
            "export_url": reverse("governance:initiative_audit_export", args=[initiative.pk])
            if initiative is not None
            else reverse("governance:audit_export"),
            "can_read_whole_trail": can_read_audit(request.user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
            "action_prefixes": action_prefixes(),
            # The head costs one indexed query; the whole chain is walked only on request.
            "chain_head": AuditChainHead.objects.filter(pk=1).first()
            if initiative is None
            else None,
            "verification": verification,
        },
    )


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> TemplateResponse:
    _require_audit_reader(request)
    return _trail_page(request, initiative=None)


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> TemplateResponse:
    """Walk the whole chain now; htmx swaps in the chain-status box, otherwise the full page."""
    _require_audit_reader(request)
    verification = verify_whole_chain()
    if request.htmx:
        return TemplateResponse(
            request,
            "governance/audit/trail.html#chain-status",
            {
                "initiative": None,
                "verification": verification,
                "chain_head": AuditChainHead.objects.filter(pk=1).first(),
                "query_string": request.GET.urlencode(),
            },
        )
    return _trail_page(request, initiative=None, verification=verification)


@login_required
@require_GET
def initiative_audit_trail(request: HttpRequest, pk: int) -> TemplateResponse:
    initiative = _initiative_for_audit(request, pk)
    return _trail_page(request, initiative=initiative)


CSV_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "initiative_id",
    "changes",
    "reason",
    "prev_hash",
    "hash",
)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _text_cell(value: str) -> str:
    """Text typed by people, made safe for spreadsheets (OWASP "CSV injection").

    A cell starting with = + - @ would run as a formula in Excel; a leading apostrophe keeps it
    text. The hash covers the original text: strip the apostrophe before re-checking a hash.
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv_lines(events: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    # iterator(): rows are fetched in chunks and never all held in memory.
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(
            (
                event.sequence,
                event.occurred_at.isoformat(),
                _text_cell(event.actor.get_username()) if event.actor else "",
                event.action,
                event.object_type,
                event.object_id,
                _text_cell(event.object_repr),
                "" if event.initiative_id is None else event.initiative_id,
                json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
                _text_cell(event.reason),
                event.prev_hash,
                event.hash,
            )
        )


def _csv_response(request: HttpRequest, base: QuerySet, *, filename: str, with_initiative: bool):  # noqa: ANN202
    filterset = AuditEventFilter(
        request.GET or None, queryset=base, with_initiative=with_initiative
    )
    if filterset.is_bound and not filterset.is_valid():
        # An export that silently ignored a filter would hand the auditor the wrong records.
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()
        )
        return HttpResponse(
            f"Filters not understood, nothing exported: {problems}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    events = filterset.qs if filterset.is_bound else base
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _export_base() -> QuerySet:
    # Oldest first: the order in which the chain can be re-checked.
    return AuditEvent.objects.select_related("actor").order_by("sequence")


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    return _csv_response(
        request, _export_base(), filename="gatehouse-audit-trail", with_initiative=True
    )


@login_required
@require_GET
def initiative_audit_export(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative_for_audit(request, pk)
    return _csv_response(
        request,
        _export_base().filter(initiative_id=initiative.pk),
        filename=f"gatehouse-audit-trail-initiative-{initiative.pk}",
        with_initiative=False,
    )
