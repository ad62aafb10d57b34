"""Pure rules for the portfolio app: the one-page problem statement and its checks, and which
stage and status moves an initiative may make (ALLOWED_TRANSITIONS).

Plain values in, frozen dataclasses out. Nothing here touches Django or the database, so forms,
services, the API and reports can all ask the same question and get the same answer.

The template and the signs of a vague statement come from the seed guide "AI problem statement"
(see DOMAIN.md, "Problem statement"): "if the team cannot complete this, they are not ready to
build".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from portfolio.vocabulary import STAGE_IDS

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
# Vocabulary
# --------------------------------------------------------------------------------------------

# Lets "we need a chatbot" be reported whole rather than just "a chatbot".
_WANT = r"(?:\b(?:we|i|they)\s+(?:really\s+)?(?:need|want|should\s+(?:build|have|get))\s+)?"
_AI = r"(?:ai|gen\s*ai|generative\s+ai|chatgpt|gpt[\w.-]*|llms?|large\s+language\s+models?)"


@dataclass(frozen=True)
class VaguePhrase:
    """A sign of a vague statement: its usual wording, how to spot variants, and what to say."""

    name: str
    pattern: re.Pattern[str]
    hint: str


def _vague(name: str, pattern: str, hint: str) -> VaguePhrase:
    return VaguePhrase(name, re.compile(pattern, re.IGNORECASE), hint)


# Each pattern accepts the small variants people actually write ("improving our productivity",
# "help customer success teams") so the check is not defeated by a change of tense.
VAGUE_PHRASES: tuple[VaguePhrase, ...] = (
    _vague(
        "improve productivity",
        r"\b(?:improv|boost|increas|rais|enhanc)(?:e|es|ed|ing|s)?\s+(?:[\w-]+\s+)?productivity\b",
        "say which work gets faster and by how much",
    ),
    _vague(
        "help the team",
        r"\bhelp(?:s|ing)?\s+(?:(?:the|our|my|your|their)\s+)?(?:[\w-]+\s+){0,2}?teams?\b",
        "say who exactly is helped, with which task",
    ),
    _vague(
        "help users",
        r"\bhelp(?:s|ing)?\s+(?:(?:the|our|all)\s+)?"
        r"(?:users|people|everyone|staff|employees|business)\b",
        "say who exactly is helped, with which task",
    ),
    _vague(
        "reduce manual work",
        r"\b(?:reduc|cut|eliminat|minimi[sz]|remov|lower)\w*\s+(?:(?:the|our)\s+)?"
        r"(?:amount\s+of\s+)?manual\s+(?:work|effort|tasks?|processes|labou?r)\b",
        "say which manual step, how long it takes today and for whom",
    ),
    _vague(
        "automate reporting",
        # Only the verb: "the automated reports fail" describes today, not a wish.
        r"\bautomat(?:e|es|ing)\s+(?:(?:the|our|all)\s+)?report(?:ing|s)?\b",
        "say which report, who waits for it and how long it takes today",
    ),
    _vague(
        "automate this process",
        r"\bautomat(?:e|es|ing)\s+(?:(?:this|the|our)\s+(?:process|workflow|work)|this|it)\b",
        "say which steps are slow or error-prone today and for whom",
    ),
    _vague(
        "use AI",
        rf"\b(?:use|uses|using|apply|applying)\s+(?:an?\s+)?{_AI}\b",
        "describe the problem first; whether AI fits comes after",
    ),
    _vague(
        "leverage AI",
        rf"\b(?:leverag|harness)(?:e|es|ed|ing)?\s+{_AI}\b",
        "describe the problem first; whether AI fits comes after",
    ),
    _vague(
        "add AI to the product",
        r"\badd(?:s|ing)?\s+(?:some\s+|more\s+)?(?:gen\s*)?ai\b"
        r"(?:\s+(?:features?\s+)?(?:to|into)\s+(?:the|our)\s+[\w-]+)?",
        "say which user task in the product is slow or failing today",
    ),
    _vague(
        "we need a chatbot",
        rf"{_WANT}\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?chat\s*-?bots?\b",
        "say what people cannot find or answer today, and what that costs",
    ),
    _vague(
        "an AI assistant",
        rf"{_WANT}\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?{_AI}\s+assistants?\b",
        "say which task the person struggles with today, and what that costs",
    ),
    _vague(
        "a copilot",
        rf"{_WANT}\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?co-?pilots?\b",
        "say which task the person struggles with today, and what that costs",
    ),
    _vague(
        "an AI tool",
        rf"{_WANT}\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?{_AI}[\s-]+"
        r"(?:tool|solution|platform|agent|system|app)s?\b",
        "say what is slow or broken today; the tool comes later",
    ),
    _vague(
        "work faster",
        r"\b(?:work|move|operate)\s+(?:[\w-]+\s+)?faster\b",
        "say which task, how long it takes today and how long it should take",
    ),
    _vague(
        "be more efficient",
        r"\b(?:be|become|becoming|being|get|getting)\s+(?:much\s+|a\s+lot\s+)?more\s+efficient\b",
        "say what gets cheaper or faster, and by how much",
    ),
    _vague(
        "improve efficiency",
        r"\b(?:improv|increas|boost|enhanc)(?:e|es|ed|ing|s)?\s+(?:[\w-]+\s+)?efficiency\b",
        "say what gets cheaper or faster, and by how much",
    ),
    _vague(
        "streamline the process",
        r"\bstreamlin(?:e|es|ed|ing)\s+(?:(?:the|our)\s+)?(?:[\w-]+\s+)?"
        r"(?:process|processes|workflows?|operations)\b",
        "say which step is slow or error-prone today",
    ),
    _vague(
        "save time",
        r"\bsav(?:e|es|ing)\s+(?:[\w-]+\s+)?time\b",
        "say whose time, on which task, and how much",
    ),
    _vague(
        "unlock insights",
        r"\b(?:unlock|gain|get|drive|surface)(?:s|ed|ing)?\s+(?:better\s+|more\s+|deeper\s+|new\s+)?"
        r"insights?\b",
        "say which decision is made late or badly today, and by whom",
    ),
)

# A tool named where the pain should be: "we need a chatbot", "build a copilot",
# "implement an LLM". Checked only where the problem is described (user_team, friction, cause):
# naming AI in the desired outcome is what the template asks for.
_SOLUTION_VERB = (
    r"(?:build|building|implement|implementing|deploy|deploying|use|using|adopt|adopting|buy|"
    r"buying|add|adding|create|creating|develop|developing|launch|launching|introduce|"
    r"introducing|leverage|leveraging|train|training|fine-tune|roll\s+out|rolling\s+out|"
    r"integrate|integrating|need|want|get)"
)
_AI_PRODUCT = (
    r"(?:tool|assistant|agent|solution|platform|system|app|application|feature|bot|model)s?"
)
_SOLUTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b{_SOLUTION_VERB}\s+(?:(?:a|an|the|our|some|new|own|internal|custom|generative|"
        rf"in-house)\s+){{0,3}}(?:{_AI}(?:[\s-]+{_AI_PRODUCT})?|machine\s+learning|"
        r"co-?pilots?|chat\s*-?bots?)\b",
        rf"\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?{_AI}[\s-]+{_AI_PRODUCT}\b",
        r"\b(?:an?|our\s+own)\s+(?:[\w-]+\s+)?(?:co-?pilot|chat\s*-?bot)s?\b",
        # Only AI-flavoured models: "a pricing model that ignores usage" is a real cause.
        r"\ban?\s+(?:(?:ai|ml|machine\s+learning|predictive|language|new|custom)\s+)?"
        r"model\s+(?:that|which|to)\b",
        # "an executive assistant books travel" is a person, so only bare or software assistants.
        r"\ban?\s+(?:(?:virtual|digital|intelligent|smart)\s+)?assistant\b",
    )
)
_SOLUTION_FIELDS: tuple[str, ...] = ("user_team", "friction", "cause")

# Digits cover "3 hours", "14h", "90%", "£40k". Words cover what people write in prose.
# "no one" is a pronoun, and "double-check" a verb, not figures.
_NUMBER = re.compile(
    r"\d"
    r"|(?<!no )\bone\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|half|dozen|twice|triple)\b"
    r"|\bdouble\b(?!-?\s?check)",
    re.IGNORECASE,
)
# "several", "many", "a few" are deliberately absent: they are the vagueness being caught.
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

# Words that describe everyone and therefore no one in particular.
_GENERIC_USER_WORDS = frozenset(
    {
        "user",
        "users",
        "team",
        "teams",
        "business",
        "businesses",
        "everyone",
        "everybody",
        "anyone",
        "staff",
        "employee",
        "employees",
        "people",
        "person",
        "customer",
        "customers",
        "client",
        "clients",
        "stakeholder",
        "stakeholders",
        "company",
        "organisation",
        "organization",
        "org",
        "internal",
        "colleagues",
        "workers",
        "folks",
        "members",
        "whole",
        "entire",
        "various",
        "different",
        "other",
        "others",
    }
)
# Words that carry no meaning on their own when counting how specific a user is.
_FILLER_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "our",
        "my",
        "your",
        "their",
        "its",
        "all",
        "of",
        "and",
        "or",
        "for",
        "in",
        "at",
        "on",
        "to",
        "with",
        "who",
        "that",
        "we",
        "us",
        "some",
        "any",
    }
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'\u2019&+-]*")

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


def has_number(text: str) -> bool:
    """True when `text` states a figure: a digit, or a number word such as "fourteen" or "half".

    Vague quantities ("several", "many", "a few", "some") are not figures.
    """
    return _NUMBER.search(text) is not None


def is_named_user(text: str) -> bool:
    """True when `text` names a specific user or team rather than everyone.

    Needs at least two meaningful words (articles and pronouns do not count), and at least one
    of them must not be a catch-all like "users", "the team", "staff" or "customers":
    "Finance analysts closing month-end" and "Enterprise customers" pass, "the team",
    "business users" and "Engineers" do not.
    """
    words = [word for word in _WORD.findall(text.lower()) if word not in _FILLER_WORDS]
    if len(words) < 2:
        return False
    return any(word not in _GENERIC_USER_WORDS for word in words)


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
    hits: dict[str, tuple[int, Finding]] = {}
    for phrase in VAGUE_PHRASES:
        for match in phrase.pattern.finditer(text):
            found = match.group(0)
            key = found.lower()
            if key in hits:
                continue
            hits[key] = (
                match.start(),
                Finding(
                    code="vague_phrase",
                    field=field,
                    severity=WARNING,
                    message=(
                        f"Replace '{_quote(found)}' in '{label}' with specifics: {phrase.hint}."
                    ),
                ),
            )
    return [finding for _, finding in sorted(hits.values(), key=lambda hit: hit[0])]


def _solution_finding(field: str, label: str, text: str) -> Finding | None:
    # The earliest tool named is the one quoted; one finding per field is enough to act on.
    matches = [m for pattern in _SOLUTION_PATTERNS if (m := pattern.search(text)) is not None]
    if not matches:
        return None
    first = min(matches, key=lambda match: (match.start(), -len(match.group(0))))
    return Finding(
        code="solution_not_problem",
        field=field,
        severity=BLOCKING,
        message=(
            f"Describe the problem, not the tool: '{_quote(first.group(0))}' in '{label}' names "
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


# --- Stage and status changes ----------------------------------------------------------------

# Which moves an initiative may make, as data: {"stage" | "status": {from: the allowed tos}}.
# Stages: any other stage. The gate workflow only ever moves one stage forward (its policies
# say from where to where), but a governance admin may also correct a stage, backwards included.
# Status: a hold pauses, a resume reactivates, a kill or a sunset stops; stopped is final.
ALLOWED_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "stage": {stage: frozenset(STAGE_IDS) - {stage} for stage in STAGE_IDS},
    "status": {
        "active": frozenset({"paused", "stopped"}),
        "paused": frozenset({"active", "stopped"}),
        "stopped": frozenset(),
    },
}


def stage_change_problems(
    *,
    from_stage: str,
    to_stage: str,
    business_owner_named: bool,
    delivery_owner_named: bool,
) -> tuple[str, ...]:
    """Why an initiative may not move from `from_stage` to `to_stage`; empty when it may.

    Guarantees: an unknown stage and "no change" are refused, and so is any move not in
    ALLOWED_TRANSITIONS["stage"]; leaving exploration for any later stage requires both a named
    business owner and a named delivery owner (DOMAIN.md, Initiative). Moving back (e.g. scale
    to pilot) is allowed: an admin may correct a stage.
    """
    problems: list[str] = []
    if from_stage not in STAGE_IDS or to_stage not in STAGE_IDS:
        unknown = to_stage if to_stage not in STAGE_IDS else from_stage
        return (f"“{unknown}” is not a stage.",)
    if from_stage == to_stage:
        return ("The initiative is already in this stage.",)
    if to_stage not in ALLOWED_TRANSITIONS["stage"][from_stage]:
        return (f"An initiative cannot move from {from_stage} to {to_stage}.",)
    leaves_exploration = STAGE_IDS.index(to_stage) > STAGE_IDS.index("exploration")
    if leaves_exploration:
        if not business_owner_named:
            problems.append("Name a business owner before the initiative leaves exploration.")
        if not delivery_owner_named:
            problems.append("Name a delivery owner before the initiative leaves exploration.")
    return tuple(problems)


def status_change_problems(*, from_status: str, to_status: str) -> tuple[str, ...]:
    """Why an initiative that is `from_status` may not become `to_status`; empty when it may.

    Guarantees: only the moves in ALLOWED_TRANSITIONS["status"] (active → paused or stopped,
    paused → active or stopped); nothing leaves stopped, and "no change" is refused too.
    """
    if to_status not in ALLOWED_TRANSITIONS["status"].get(from_status, frozenset()):
        return (f"An initiative that is {from_status} cannot become {to_status}.",)
    return ()
