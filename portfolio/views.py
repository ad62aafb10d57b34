from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import is_filtered, query_without, results_template
from core.permissions import require, role_required
from portfolio.filters import InitiativeFilter
from portfolio.forms import (
    InitiativeForm,
    ProblemStatementForm,
    StageChangeForm,
    initiative_suggestions,
)
from portfolio.models import (
    PROBLEM_STATEMENT_FIELDS,
    Initiative,
    ProblemStatement,
    ProblemStatementVersion,
    StageTransition,
)
from portfolio.panels import render_initiative_panels
from portfolio.permissions import (
    CREATE_DENIED_MESSAGE,
    SET_STAGE_DENIED_MESSAGE,
    can_create_initiative,
    can_edit_initiative,
    can_set_stage,
    can_view_portfolio,
    get_initiative_for_user,
)
from portfolio.problem_statement_rules import (
    PROBLEM_STATEMENT_PARTS,
    check_problem_statement,
    diff_problem_statements,
)
from portfolio.services import (
    initiative_create,
    initiative_set_stage,
    initiative_update,
    problem_statement_save,
)

PAGE_SIZE = 25
FIELD_LABELS = {part.field: part.label for part in PROBLEM_STATEMENT_PARTS}


@role_required(can_view_portfolio)
@require_safe
def initiative_list(request: HttpRequest) -> TemplateResponse:
    queryset = Initiative.objects.with_list_relations()
    filterset = InitiativeFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    template = results_template(request, "portfolio/initiative_list.html", "portfolio-results")
    return TemplateResponse(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "is_filtered": is_filtered(request),
            "can_create": can_create_initiative(request.user),
        },
    )


@role_required(can_view_portfolio)
@require_safe
def initiative_suggestions_view(request: HttpRequest) -> TemplateResponse:
    """The type-ahead of the initiative filters: <option>s for a <datalist>, at most 20.

    Reads `q`, or `initiative`, the name under which htmx sends the filter field's own value.
    """
    text = request.GET.get("q") or request.GET.get("initiative") or ""
    return TemplateResponse(
        request,
        "portfolio/_initiative_suggestions.html",
        {"initiatives": initiative_suggestions(text)},
    )


@login_required
@require_safe
def initiative_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    initiative = get_initiative_for_user(
        request.user, pk, queryset=Initiative.objects.with_detail_relations()
    )
    statement = getattr(initiative, "problem_statement", None)
    check = check_problem_statement(statement.content()) if statement else None
    transitions = StageTransition.objects.filter(initiative=initiative).select_related("actor")[:20]
    return TemplateResponse(
        request,
        "portfolio/initiative_detail.html",
        {
            "initiative": initiative,
            "statement": statement,
            "check": check,
            "transitions": transitions,
            "can_edit": can_edit_initiative(request.user, initiative),
            "can_set_stage": can_set_stage(request.user),
            "panels": render_initiative_panels(request, initiative),
        },
    )


@role_required(can_view_portfolio)
@require_http_methods(["GET", "POST"])
def initiative_create_view(request: HttpRequest) -> HttpResponse:
    require(can_create_initiative(request.user), CREATE_DENIED_MESSAGE)
    form = InitiativeForm(request.POST or None, initial={"business_owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            initiative = initiative_create(
                actor=request.user,
                data=form.service_data(),
                vendors=form.cleaned_data["vendors"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Created “{initiative.title}”. Next: write its problem statement."
            )
            return redirect("portfolio:problem_statement_edit", pk=initiative.pk)
    return TemplateResponse(
        request, "portfolio/initiative_form.html", {"form": form, "initiative": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk, write=True)
    form = InitiativeForm(request.POST or None, instance=initiative)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            initiative_update(
                initiative=initiative,
                actor=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
                vendors=form.cleaned_data["vendors"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Initiative saved.")
            return redirect(initiative)
    return TemplateResponse(
        request,
        "portfolio/initiative_form.html",
        {"form": form, "initiative": initiative, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_stage(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    require(can_set_stage(request.user), SET_STAGE_DENIED_MESSAGE)
    form = StageChangeForm(request.POST or None, initial={"to_stage": initiative.stage})
    if request.method == "POST" and form.is_valid():
        try:
            initiative_set_stage(
                initiative=initiative,
                actor=request.user,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Stage changed to {initiative.get_stage_display()}.")
            return redirect(initiative)
    return TemplateResponse(
        request, "portfolio/initiative_stage.html", {"form": form, "initiative": initiative}
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk, write=True)
    statement = ProblemStatement.objects.filter(initiative=initiative).first()
    instance = statement or ProblemStatement(initiative=initiative)
    instance.initiative = initiative
    form = ProblemStatementForm(
        request.POST or None, instance=instance, initial={"version": instance.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = problem_statement_save(
                initiative=initiative,
                actor=request.user,
                data={name: form.cleaned_data[name] for name in PROBLEM_STATEMENT_FIELDS},
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if saved.version == form.cleaned_data["version"]:
                messages.info(request, "Nothing changed, so no new version was saved.")
            else:
                messages.success(request, "Problem statement saved as a new version.")
            return redirect(initiative)
    values = (
        form.data
        if form.is_bound
        else {n: form.initial.get(n, "") for n in PROBLEM_STATEMENT_FIELDS}
    )
    check = check_problem_statement({n: values.get(n, "") for n in PROBLEM_STATEMENT_FIELDS})
    return TemplateResponse(
        request,
        "portfolio/problem_statement_form.html",
        {
            "form": form,
            "initiative": initiative,
            "check": check,
            "conflict": conflict,
            "conflict_changes": _conflict_rows(conflict, values) if conflict else [],
        },
        status=409 if conflict else 200,
    )


def _conflict_rows(conflict: ConflictError, mine) -> list[dict[str, object]]:  # noqa: ANN001
    return [
        {"label": FIELD_LABELS.get(name, name), "theirs": theirs or "", "mine": mine.get(name, "")}
        for name, theirs in conflict.current.items()
        if str(theirs or "") != str(mine.get(name, "") or "")
    ]


@login_required
@require_POST
def problem_statement_check(request: HttpRequest, pk: int) -> TemplateResponse:
    """The live findings for what the user has typed so far; reads nothing but the form."""
    get_initiative_for_user(request.user, pk, write=True)
    check = check_problem_statement({n: request.POST.get(n, "") for n in PROBLEM_STATEMENT_FIELDS})
    return TemplateResponse(
        request, "portfolio/problem_statement_form.html#findings", {"check": check}
    )


@login_required
@require_safe
def problem_statement_history(request: HttpRequest, pk: int) -> TemplateResponse:
    initiative = get_initiative_for_user(request.user, pk)
    versions = list(
        ProblemStatementVersion.objects.filter(statement__initiative=initiative)
        .select_related("author")
        .order_by("-number")
    )
    by_number = {version.number: version for version in versions}
    newer = _int_or_none(request.GET.get("b")) or (versions[0].number if versions else None)
    older = _int_or_none(request.GET.get("a"))
    if older is None and newer is not None:
        older = newer - 1 if newer - 1 in by_number else None
    changes = None
    if newer in by_number and older in by_number:
        changes = diff_problem_statements(by_number[older].content, by_number[newer].content)
    return TemplateResponse(
        request,
        "portfolio/problem_statement_history.html",
        {
            "initiative": initiative,
            "versions": versions,
            "older": by_number.get(older),
            "newer": by_number.get(newer),
            "changes": changes,
        },
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
