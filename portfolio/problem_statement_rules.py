"""Pure rules of the one-page problem statement: its parts, its checks, its sentence, and what
changed between two versions.

Plain values in, frozen dataclasses out. Nothing here touches Django or the database, so forms,
services, the API, the gates and reports can all ask the same question and get the same answer.
The wordings the checks look for are `portfolio.problem_statement_wording`.

The template and the signs of a vague statement come from the seed guide "AI problem statement"
(see DOMAIN.md, "Problem statement"): "if the team cannot complete this, they are not ready to
build".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from portfolio.problem_statement_wording import (
    has_number,
    is_named_user,
    named_solution,
    vague_phrases_in,
)

Severity = Literal["blocking", "warning"]
BLOCKING: Severity = "blocking"
WARNING: Severity = "warning"


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemStatementPart:
    """One part of the one-page problem statement.

    `in_template` parts fill the one-sentence template; the others are the measurable extras the
    page also asks for. `placeholder` is what the sentence shows while the part is empty
    ("" for extras, which never appear in the sentence). `question` is what the part answers.
    """

    field: str
    label: str
    question: str
    in_template: bool
    placeholder: str = ""


PROBLEM_STATEMENT_PARTS: tuple[ProblemStatementPart, ...] = (
    ProblemStatementPart(
        "user_team",
        "Specific user or team",
        "who exactly has the problem?",
        True,
        "[specific user/team]",
    ),
    ProblemStatementPart(
        "friction",
        "Specific friction",
        "what is broken, slow or error-prone today?",
        True,
        "[specific friction]",
    ),
    ProblemStatementPart(
        "cause",
        "Current constraint or workflow breakdown",
        "why does it happen today?",
        True,
        "[current constraint or workflow breakdown]",
    ),
    ProblemStatementPart(
        "cost",
        "Measurable cost, delay, risk or missed opportunity",
        "what does it cost in time, money, risk or missed opportunity?",
        True,
        "[measurable cost, delay, risk or missed opportunity]",
    ),
    ProblemStatementPart(
        "desired_outcome",
        "Desired outcome",
        "what would better look like?",
        True,
        "[desired outcome]",
    ),
    ProblemStatementPart(
        "success_metric",
        "Success metric",
        "how will success be measured?",
        True,
        "[success metric]",
    ),
    ProblemStatementPart(
        "constraints",
        "Constraints (data, workflow, compliance, security, customer)",
        "which data, workflow, compliance, security or customer constraints must be respected?",
        True,
        "[data, workflow, compliance, security or customer constraints]",
    ),
    ProblemStatementPart("kpi", "Single KPI that must move", "which single KPI must move?", False),
    ProblemStatementPart("baseline", "Baseline", "where is that KPI today, as a number?", False),
    ProblemStatementPart("target", "Target", "where must the KPI get to, as a number?", False),
    ProblemStatementPart("target_date", "Target date", "by when must the target be met?", False),
    ProblemStatementPart(
        "non_ai_alternative",
        "Non-AI alternative",
        "what would you ship if AI were not available?",
        False,
    ),
)

TEMPLATE_PARTS: tuple[ProblemStatementPart, ...] = tuple(
    part for part in PROBLEM_STATEMENT_PARTS if part.in_template
)
EXTRA_PARTS: tuple[ProblemStatementPart, ...] = tuple(
    part for part in PROBLEM_STATEMENT_PARTS if not part.in_template
)
PROBLEM_STATEMENT_PART_BY_FIELD: dict[str, ProblemStatementPart] = {
    part.field: part for part in PROBLEM_STATEMENT_PARTS
}

# Finding codes in the order findings of one field are listed: blocking kinds first, so the
# thing that stops the statement is read before the advice.
FINDING_CODES: tuple[str, ...] = (
    "missing",
    "invalid_date",
    "no_named_user",
    "solution_not_problem",
    "no_number",
    "target_date_past",
    "vague_phrase",
)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something wrong or weak in a statement, phrased so its author can fix it.

    `field` is the part it is about, or "" when it is about the whole statement.
    """

    code: str
    field: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class ProblemStatementCheck:
    """The verdict on one problem statement: what is wrong, and a suggested clarity score."""

    findings: tuple[Finding, ...]
    clarity_score: int
    complete: bool
    sentence: str

    @property
    def blocking(self) -> bool:
        """True when at least one finding must be fixed before the statement is usable."""
        return any(finding.severity == BLOCKING for finding in self.findings)

    def findings_for(self, field: str) -> tuple[Finding, ...]:
        """The findings about one part, in the check's order (for showing next to a field)."""
        return tuple(finding for finding in self.findings if finding.field == field)


@dataclass(frozen=True)
class FieldChange:
    """One part that differs between two versions of a statement (values stripped, "" if empty)."""

    field: str
    label: str
    before: str
    after: str


# --------------------------------------------------------------------------------------------
# What the checks ask of each part
# --------------------------------------------------------------------------------------------

# Checked for a named tool only where the problem is described: naming AI in the desired
# outcome is what the template asks for.
_SOLUTION_FIELDS: tuple[str, ...] = ("user_team", "friction", "cause")

_COST_FIELDS_NEEDING_NUMBERS: tuple[tuple[str, Severity, str], ...] = (
    (
        "cost",
        WARNING,
        "Put a number on the cost: how many hours, days, euros, tickets or customers "
        "(e.g. '6 hours a week per analyst'); words like 'several' are not a number.",
    ),
    (
        "baseline",
        BLOCKING,
        "Give the baseline as a number: where the KPI is today (e.g. '14 hours median "
        "resolution time').",
    ),
    (
        "target",
        BLOCKING,
        "Give the target as a number: where the KPI must get to (e.g. '9 hours median "
        "resolution time').",
    ),
)

_TRAILING_PUNCTUATION = " \t\r\n.,;:!?…"
_QUOTE_LIMIT = 60


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


def _plain(value: object) -> str:
    """A part's value as the author wrote it, stripped: None is "", dates are ISO strings."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _line(value: object) -> str:
    """A part's value on one line: what the checks read and the sentence shows."""
    return " ".join(_plain(value).split())


def _quote(text: str) -> str:
    if len(text) <= _QUOTE_LIMIT:
        return text
    return text[: _QUOTE_LIMIT - 1].rstrip() + "…"


def parse_target_date(value: object) -> date | None:
    """The target date as a `date`, or None when empty.

    Accepts a `date`, a `datetime` (its date) or an ISO 8601 string ("2026-06-30"), which is
    what the form's date input and `ProblemStatement.content()` produce.
    Raises ValueError for a non-empty value that is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _plain(value)
    if not text:
        return None
    # datetime.fromisoformat also reads plain dates ("2026-06-30") since Python 3.11.
    return datetime.fromisoformat(text).date()


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------


def _vague_findings(field: str, label: str, text: str) -> list[Finding]:
    # One finding per distinct phrase in a field, listed in the order the author wrote them.
    return [
        Finding(
            code="vague_phrase",
            field=field,
            severity=WARNING,
            message=f"Replace '{_quote(found)}' in '{label}' with specifics: {phrase.hint}.",
        )
        for found, phrase in vague_phrases_in(text)
    ]


def _solution_finding(field: str, label: str, text: str) -> Finding | None:
    # The earliest tool named is the one quoted; one finding per field is enough to act on.
    solution = named_solution(text)
    if solution is None:
        return None
    return Finding(
        code="solution_not_problem",
        field=field,
        severity=BLOCKING,
        message=(
            f"Describe the problem, not the tool: '{_quote(solution)}' in '{label}' names "
            "a solution. Say what is slow, manual, error-prone or risky today."
        ),
    )


_FIELD_ORDER: dict[str, int] = {part.field: i for i, part in enumerate(PROBLEM_STATEMENT_PARTS)}


def _sort_key(finding: Finding) -> tuple[int, int]:
    # Whole-statement findings ("" field) go after every part's findings.
    return _FIELD_ORDER.get(finding.field, len(_FIELD_ORDER)), FINDING_CODES.index(finding.code)


def check_problem_statement(
    fields: Mapping[str, object], *, today: date | None = None
) -> ProblemStatementCheck:
    """Check a problem statement against the one-page template and the signs of vagueness.

    `fields` maps part names (see PROBLEM_STATEMENT_PARTS) to values; absent keys, None and
    whitespace count as empty, unknown keys are ignored. `target_date` may be a `date`, an ISO
    string or empty.

    Guarantees:
    - every empty part gives a blocking "missing" finding; `complete` is True only when all
      twelve parts are filled;
    - "vague_phrase" (warning): one per distinct vague phrase per part, quoting it;
    - "no_number": a cost without a figure is a warning, a baseline or target without one is
      blocking (see `has_number`);
    - "solution_not_problem" (blocking): the user/team, friction or cause names a tool
      ("we need a chatbot", "implement an LLM") instead of a pain;
    - "no_named_user" (blocking): the user/team is filled but generic (see `is_named_user`);
    - "invalid_date" (blocking): the target date is filled but not a date;
      "target_date_past" (warning): it is before `today` (only checked when `today` is given);
    - findings are ordered by part (template order), then by FINDING_CODES, then by where a
      phrase appears, so the same input always gives the same tuple;
    - `clarity_score` (1–5): 5 minus one per blocking finding, minus one more if there is any
      warning (however many), clamped to 1..5; and 1 whenever more than half of the seven
      template parts are empty, because such a statement cannot be judged at all.
    """
    values = {part.field: _line(fields.get(part.field)) for part in PROBLEM_STATEMENT_PARTS}
    findings: list[Finding] = []

    for part in PROBLEM_STATEMENT_PARTS:
        if not values[part.field]:
            findings.append(
                Finding(
                    code="missing",
                    field=part.field,
                    severity=BLOCKING,
                    message=f"Fill in '{part.label}': {part.question}",
                )
            )

    user_team = values["user_team"]
    if user_team and not is_named_user(user_team):
        findings.append(
            Finding(
                code="no_named_user",
                field="user_team",
                severity=BLOCKING,
                message=(
                    f"Name who has the problem: '{_quote(user_team)}' is not a specific user or "
                    "team. Say which people, doing what (e.g. 'finance analysts closing "
                    "month-end')."
                ),
            )
        )

    for field in _SOLUTION_FIELDS:
        text = values[field]
        label = PROBLEM_STATEMENT_PART_BY_FIELD[field].label
        if text and (finding := _solution_finding(field, label, text)) is not None:
            findings.append(finding)

    for field, severity, message in _COST_FIELDS_NEEDING_NUMBERS:
        if values[field] and not has_number(values[field]):
            findings.append(Finding("no_number", field, severity, message))

    raw_date = values["target_date"]
    if raw_date:
        try:
            target_date = parse_target_date(fields.get("target_date"))
        except ValueError:
            findings.append(
                Finding(
                    code="invalid_date",
                    field="target_date",
                    severity=BLOCKING,
                    message=(
                        "Give the target date as a calendar date (YYYY-MM-DD): "
                        f"'{_quote(raw_date)}' could not be read."
                    ),
                )
            )
        else:
            if today is not None and target_date is not None and target_date < today:
                findings.append(
                    Finding(
                        code="target_date_past",
                        field="target_date",
                        severity=WARNING,
                        message=(
                            f"Move the target date or record the miss: "
                            f"{target_date.isoformat()} is before today ({today.isoformat()})."
                        ),
                    )
                )

    for part in PROBLEM_STATEMENT_PARTS:
        if part.field != "target_date" and values[part.field]:
            findings.extend(_vague_findings(part.field, part.label, values[part.field]))

    # sorted() is stable, so phrases keep the order they were written in within a field.
    ordered = tuple(sorted(findings, key=_sort_key))
    return ProblemStatementCheck(
        findings=ordered,
        clarity_score=_clarity_score(ordered, values),
        complete=all(values.values()),
        sentence=render_problem_statement(fields),
    )


def _clarity_score(findings: tuple[Finding, ...], values: Mapping[str, str]) -> int:
    missing_template_parts = sum(1 for part in TEMPLATE_PARTS if not values[part.field])
    if missing_template_parts * 2 > len(TEMPLATE_PARTS):
        return 1
    blocking = sum(1 for finding in findings if finding.severity == BLOCKING)
    # Warnings are advice: many of them still cost only one point, so wording alone cannot
    # sink a statement that is otherwise complete and measurable.
    warned = any(finding.severity == WARNING for finding in findings)
    return max(1, min(5, 5 - blocking - int(warned)))


# --------------------------------------------------------------------------------------------
# Rendering and comparing
# --------------------------------------------------------------------------------------------


def render_problem_statement(fields: Mapping[str, object]) -> str:
    """The statement as the template's two sentences.

    Each part is stripped of surrounding whitespace and trailing punctuation (so "…constraints."
    does not end up as "…constraints..") and kept otherwise as written, capitals included, since
    lower-casing would break names and acronyms. An empty part shows its bracketed placeholder,
    e.g. "[specific user/team]", so the gap is visible in the sentence.
    """
    parts = {
        part.field: _line(fields.get(part.field)).rstrip(_TRAILING_PUNCTUATION) or part.placeholder
        for part in TEMPLATE_PARTS
    }
    return (
        f"For {parts['user_team']}, the problem is {parts['friction']}, caused by "
        f"{parts['cause']}, resulting in {parts['cost']}. A successful AI-enabled solution "
        f"would {parts['desired_outcome']}, measured by {parts['success_metric']}, within "
        f"{parts['constraints']}."
    )


def diff_problem_statements(
    before: Mapping[str, object], after: Mapping[str, object]
) -> tuple[FieldChange, ...]:
    """The parts that differ between two versions, in template order.

    Values are compared as stripped strings and dates as ISO strings, so re-saving a form with
    stray spaces (or a `date` against its ISO string) is not a change. Absent keys and None
    compare equal to "". `before`/`after` hold the stripped values, line breaks kept.
    """
    changes: list[FieldChange] = []
    for part in PROBLEM_STATEMENT_PARTS:
        old = _plain(before.get(part.field))
        new = _plain(after.get(part.field))
        if old != new:
            changes.append(FieldChange(field=part.field, label=part.label, before=old, after=new))
    return tuple(changes)
