"""The one-page problem statement rules: pure functions, no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portfolio.problem_statement_rules import (
    BLOCKING,
    EXTRA_PARTS,
    FINDING_CODES,
    PROBLEM_STATEMENT_PART_BY_FIELD,
    PROBLEM_STATEMENT_PARTS,
    TEMPLATE_PARTS,
    WARNING,
    FieldChange,
    Finding,
    ProblemStatementCheck,
    ProblemStatementPart,
    check_problem_statement,
    diff_problem_statements,
    parse_target_date,
    render_problem_statement,
)
from portfolio.problem_statement_wording import (
    VAGUE_PHRASES,
    VaguePhrase,
    has_number,
    is_named_user,
)

TODAY = date(2026, 1, 15)

ALL_FIELDS = [part.field for part in PROBLEM_STATEMENT_PARTS]
TEMPLATE_FIELDS = [part.field for part in TEMPLATE_PARTS]

# The seed's strong example ("renewal briefing for enterprise CSMs"), split into the parts.
# Its cost says "several hours", which is deliberately left as in the seed.
RENEWAL_BRIEFING: dict[str, object] = {
    "user_team": "Enterprise customer success managers managing more than 40 active accounts",
    "friction": (
        "that renewal preparation requires manually reviewing CRM notes, support tickets, "
        "call transcripts, and product usage reports"
    ),
    "cause": "account signals being spread across four systems with no single view",
    "cost": (
        "several hours of preparation work each week and an increased risk of missing "
        "important customer signals before renewal conversations"
    ),
    "desired_outcome": "generate a reliable renewal briefing in under five minutes",
    "success_metric": (
        "reduced preparation time, manager trust in the summary, and improved renewal meeting "
        "quality"
    ),
    "constraints": "existing CRM, privacy, and customer data constraints",
    "kpi": "Median renewal preparation time",
    "baseline": "3 hours of preparation per renewal",
    "target": "15 minutes per renewal",
    "target_date": date(2026, 9, 30),
    "non_ai_alternative": "A shared renewal checklist and a CRM report template",
}

# Our own strong examples, from the seed's list of specific users.
SUPPORT_RUNBOOKS: dict[str, object] = {
    "user_team": "Tier-2 support agents handling technical tickets",
    "friction": "agents search four knowledge bases for the right runbook on every ticket",
    "cause": "runbooks are duplicated across Zendesk macros and two legacy wikis with no owner",
    "cost": "a median resolution time of 14 hours and 18% of tickets reopened within a week",
    "desired_outcome": "suggest the right runbook section, with its source, when a ticket opens",
    "success_metric": "median resolution time and reopen rate on sampled tickets",
    "constraints": "customer data stays in Zendesk and an agent approves every reply",
    "kpi": "Median resolution time",
    "baseline": "14 hours",
    "target": "9 hours",
    "target_date": "2026-06-30",
    "non_ai_alternative": "Merge the wikis into one owned knowledge base with search",
}
MONTH_END_MATCHING: dict[str, object] = {
    "user_team": "Finance analysts closing month-end",
    "friction": "matching intercompany invoices to payments by hand in spreadsheets",
    "cause": "the two ERPs use different invoice references and share no key",
    "cost": "the close takes eight working days and two analysts spend half of it matching",
    "desired_outcome": "propose matches for analyst approval, with the reason for each",
    "success_metric": "share of invoices matched with 99% sampled accuracy",
    "constraints": "SOX controls; ledger data never leaves the finance tenant",
    "kpi": "Working days to close",
    "baseline": "8 working days",
    "target": "five working days",
    "target_date": "2026-09-30",
    "non_ai_alternative": "A shared invoice reference enforced in both ERPs",
}
ALERT_TRIAGE: dict[str, object] = {
    "user_team": "Security analysts reviewing alerts on the night shift",
    "friction": "triaging around 1,200 SIEM alerts a night, most of them duplicates",
    "cause": "correlation rules were written per tool and never consolidated",
    "cost": "high-risk incidents wait a median 5 hours for a human to look at them",
    "desired_outcome": "group duplicate alerts and rank the rest while a human decides escalation",
    "success_metric": "median time to first review of high-risk alerts",
    "constraints": "alert data stays in the SOC tenant and every escalation is human-approved",
    "kpi": "Median time to first review of high-risk alerts",
    "baseline": "5 hours",
    "target": "30 minutes",
    "target_date": date(2026, 12, 31),
    "non_ai_alternative": "Rewrite the correlation rules and add a deduplication rule per source",
}

# Our own weak examples: each one has every kind of gap the template is meant to expose.
ALL_VAGUE: dict[str, object] = {
    "user_team": "The team",
    "friction": "We want to use AI to reduce manual work",
    "cause": "Processes are slow",
    "cost": "Lots of wasted time",
    "desired_outcome": "improve productivity",
    "success_metric": "Happier staff",
    "constraints": "None",
    "kpi": "Productivity",
    "baseline": "Low",
    "target": "High",
    "target_date": "ASAP",
    "non_ai_alternative": "None",
}
CHATBOT_FIRST: dict[str, object] = {
    "user_team": "Product managers synthesizing customer feedback",
    "friction": "We need a chatbot for internal knowledge",
    "cause": "an AI assistant would answer their questions",
    "cost": "several hours each week",
    "desired_outcome": "be more efficient",
    "success_metric": "adoption",
    "constraints": "security",
    "kpi": "Hours saved",
    "baseline": "several hours",
    "target": "a few minutes",
    "target_date": "2026-06-30",
    "non_ai_alternative": "A tagged feedback board",
}
HALF_STARTED: dict[str, object] = {
    "user_team": "Everyone",
    "friction": "reporting takes too long",
}


def statement(base: dict[str, object] | None = None, **changes: object) -> dict[str, object]:
    """A copy of a statement (the clean support one by default) with some parts changed."""
    values = dict(SUPPORT_RUNBOOKS if base is None else base)
    values.update(changes)
    return values


def codes(check: ProblemStatementCheck, field: str | None = None) -> list[str]:
    return [f.code for f in check.findings if field is None or f.field == field]


def only(check: ProblemStatementCheck, code: str, field: str) -> Finding:
    found = [f for f in check.findings if f.code == code and f.field == field]
    assert len(found) == 1, check.findings
    return found[0]


# --- The template -----------------------------------------------------------------------------


def test_parts_follow_the_one_page_template_order_then_the_extras() -> None:
    assert ALL_FIELDS == [
        "user_team",
        "friction",
        "cause",
        "cost",
        "desired_outcome",
        "success_metric",
        "constraints",
        "kpi",
        "baseline",
        "target",
        "target_date",
        "non_ai_alternative",
    ]


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("user_team", "Specific user or team"),
        ("friction", "Specific friction"),
        ("cause", "Current constraint or workflow breakdown"),
        ("cost", "Measurable cost, delay, risk or missed opportunity"),
        ("desired_outcome", "Desired outcome"),
        ("success_metric", "Success metric"),
        ("constraints", "Constraints (data, workflow, compliance, security, customer)"),
        ("kpi", "Single KPI that must move"),
        ("baseline", "Baseline"),
        ("target", "Target"),
        ("target_date", "Target date"),
        ("non_ai_alternative", "Non-AI alternative"),
    ],
)
def test_each_part_has_its_human_label(field: str, label: str) -> None:
    assert PROBLEM_STATEMENT_PART_BY_FIELD[field].label == label


def test_the_seven_sentence_parts_are_template_parts_and_the_five_others_are_extras() -> None:
    assert ALL_FIELDS[:7] == TEMPLATE_FIELDS
    assert [part.field for part in EXTRA_PARTS] == ALL_FIELDS[7:]
    assert all(part.in_template for part in TEMPLATE_PARTS)
    assert not any(part.in_template for part in EXTRA_PARTS)


def test_only_template_parts_have_a_placeholder() -> None:
    assert all(part.placeholder.startswith("[") for part in TEMPLATE_PARTS)
    assert all(part.placeholder == "" for part in EXTRA_PARTS)


def test_parts_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(AttributeError):
        PROBLEM_STATEMENT_PARTS[0].label = "Anyone"  # type: ignore[misc]


# --- Missing parts ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ALL_FIELDS)
@pytest.mark.parametrize("empty", ["", "   ", "\n\t", None])
def test_an_empty_part_is_a_blocking_missing_finding(field: str, empty: object) -> None:
    check = check_problem_statement(statement(**{field: empty}))

    finding = only(check, "missing", field)
    assert finding.severity == BLOCKING
    assert PROBLEM_STATEMENT_PART_BY_FIELD[field].label in finding.message
    assert check.complete is False
    assert check.blocking is True


@pytest.mark.parametrize("field", ALL_FIELDS)
def test_an_absent_key_counts_as_missing(field: str) -> None:
    values = statement()
    del values[field]

    assert "missing" in codes(check_problem_statement(values), field)


def test_an_empty_mapping_reports_every_part_missing_in_template_order() -> None:
    check = check_problem_statement({})

    assert [(f.field, f.code) for f in check.findings] == [(f, "missing") for f in ALL_FIELDS]
    assert check.clarity_score == 1
    assert check.complete is False


def test_missing_message_asks_the_question_the_part_answers() -> None:
    finding = only(check_problem_statement(statement(user_team="")), "missing", "user_team")

    assert finding.message == "Fill in 'Specific user or team': who exactly has the problem?"


def test_unknown_keys_are_ignored() -> None:
    check = check_problem_statement(statement(owner="Dana", notes="use AI everywhere"))

    assert check.findings == ()


# --- Vague phrases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("We need to improve productivity", "improve productivity"),
        ("Improving our productivity", "Improving our productivity"),
        ("boosts team productivity", "boosts team productivity"),
        ("It should help the team", "help the team"),
        ("help our team", "help our team"),
        ("to help our support team", "help our support team"),
        ("helping customer success teams", "helping customer success teams"),
        ("help users", "help users"),
        ("to reduce manual work", "reduce manual work"),
        ("cut manual effort", "cut manual effort"),
        ("eliminating the manual tasks", "eliminating the manual tasks"),
        ("We should automate reporting.", "automate reporting"),
        ("automating our reports", "automating our reports"),
        ("We should automate this process.", "automate this process"),
        ("use AI for triage", "use AI"),
        ("using GenAI to draft", "using GenAI"),
        ("Can we use ChatGPT for customer support?", "use ChatGPT"),
        ("We need a chatbot for internal knowledge.", "We need a chatbot"),
        ("our own chatbot", "our own chatbot"),
        ("We need an AI assistant.", "We need an AI assistant"),
        ("Let's build an internal copilot.", "an internal copilot"),
        ("a Copilot for sales", "a Copilot"),
        ("Can we add AI to the product?", "add AI to the product"),
        ("We want an AI tool", "We want an AI tool"),
        ("so people work faster", "work faster"),
        ("move much faster", "move much faster"),
        ("be more efficient", "be more efficient"),
        ("become a lot more efficient", "become a lot more efficient"),
        ("improve operational efficiency", "improve operational efficiency"),
        ("We want to leverage AI", "leverage AI"),
        ("harnessing generative AI", "harnessing generative AI"),
        ("streamline the onboarding process", "streamline the onboarding process"),
        ("save time", "save time"),
        ("gain better insights", "gain better insights"),
    ],
)
def test_vague_phrases_are_warnings_that_quote_the_phrase_and_the_part(
    text: str, phrase: str
) -> None:
    check = check_problem_statement(statement(desired_outcome=text))

    findings = [f for f in check.findings if f.code == "vague_phrase"]
    assert [f.field for f in findings] == ["desired_outcome"]
    assert findings[0].severity == WARNING
    assert f"'{phrase}'" in findings[0].message
    assert "'Desired outcome'" in findings[0].message


@pytest.mark.parametrize("field", [f for f in ALL_FIELDS if f != "target_date"])
def test_vague_phrases_are_found_in_any_text_part(field: str) -> None:
    check = check_problem_statement(statement(**{field: "help the team work faster, 3 times"}))

    assert codes(check, field).count("vague_phrase") == 2


@pytest.mark.parametrize(
    "text",
    [
        "Reduce manual report preparation by half without increasing errors",
        "the automated reports fail every Monday",
        "customers abandon the existing chatbot because it cannot answer billing questions",
        "teams in three regions use different spreadsheets",
        "renewal preparation takes 3 hours",
        "manager trust in the summary",
        "improve first-contact resolution from 60% to 75%",
    ],
)
def test_specific_wording_is_not_taken_for_a_vague_phrase(text: str) -> None:
    check = check_problem_statement(statement(desired_outcome=text))

    assert "vague_phrase" not in codes(check)


def test_vague_phrases_are_matched_case_insensitively_across_line_breaks() -> None:
    check = check_problem_statement(statement(desired_outcome="IMPROVE\n  PRODUCTIVITY"))

    assert "'IMPROVE PRODUCTIVITY'" in only(check, "vague_phrase", "desired_outcome").message


def test_a_phrase_repeated_in_one_part_is_reported_once() -> None:
    text = "help the team now, and later help the team again"

    check = check_problem_statement(statement(desired_outcome=text))

    assert codes(check, "desired_outcome") == ["vague_phrase"]


def test_the_same_phrase_in_two_parts_is_reported_for_each_part() -> None:
    check = check_problem_statement(
        statement(desired_outcome="save time", non_ai_alternative="save time with a checklist")
    )

    assert [f.field for f in check.findings if f.code == "vague_phrase"] == [
        "desired_outcome",
        "non_ai_alternative",
    ]


def test_vague_phrases_in_one_part_are_listed_in_the_order_they_were_written() -> None:
    text = "work faster, then improve productivity, then save time"

    check = check_problem_statement(statement(desired_outcome=text))

    quoted = [f.message.split("'")[1] for f in check.findings]
    assert quoted == ["work faster", "improve productivity", "save time"]


def test_many_vague_phrases_cost_one_point_together() -> None:
    text = "help the team work faster, save time and improve productivity"

    check = check_problem_statement(statement(desired_outcome=text))

    assert codes(check).count("vague_phrase") == 4
    assert check.blocking is False
    assert check.clarity_score == 4


# --- Numbers in cost, baseline and target -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3 hours",
        "14h",
        "90% sampled accuracy",
        "£40k a quarter",
        "1,200 alerts",
        "fourteen hours",
        "Twenty-five tickets",
        "one analyst",
        "half the week",
        "a dozen escalations",
        "twice a week",
        "double the backlog",
        "a hundred tickets",
        "a thousand invoices",
        "a million rows",
        "ten days",
    ],
)
def test_digits_and_number_words_count_as_a_number(text: str) -> None:
    assert has_number(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "several hours",
        "hours",
        "a lot of time",
        "many tickets",
        "a few minutes",
        "some delay",
        "no one notices until renewal",
        "analysts double-check every figure",
        "someone often redoes it",
    ],
)
def test_vague_quantities_do_not_count_as_a_number(text: str) -> None:
    assert has_number(text) is False


def test_a_cost_without_a_number_is_a_warning() -> None:
    check = check_problem_statement(statement(cost="several hours of rework each week"))

    finding = only(check, "no_number", "cost")
    assert finding.severity == WARNING
    assert "'several'" in finding.message
    assert check.blocking is False
    assert check.clarity_score == 4


@pytest.mark.parametrize("field", ["baseline", "target"])
@pytest.mark.parametrize("text", ["several hours", "Low", "much faster"])
def test_a_baseline_or_target_without_a_number_blocks(field: str, text: str) -> None:
    check = check_problem_statement(statement(**{field: text}))

    assert only(check, "no_number", field).severity == BLOCKING
    assert check.clarity_score == 4


@pytest.mark.parametrize("field", ["cost", "baseline", "target"])
@pytest.mark.parametrize("text", ["3 hours", "fourteen hours", "half a day"])
def test_a_number_in_cost_baseline_or_target_satisfies_the_rule(field: str, text: str) -> None:
    check = check_problem_statement(statement(**{field: text}))

    assert "no_number" not in codes(check)


@pytest.mark.parametrize("field", ["user_team", "friction", "kpi", "non_ai_alternative"])
def test_other_parts_need_no_number(field: str) -> None:
    values = statement(**{field: "Finance analysts reconciling invoices"})

    assert "no_number" not in codes(check_problem_statement(values))


def test_an_empty_baseline_is_missing_not_also_without_a_number() -> None:
    check = check_problem_statement(statement(baseline=""))

    assert codes(check, "baseline") == ["missing"]


# --- A solution named instead of a problem ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("We need a chatbot for internal knowledge", "need a chatbot"),
        ("We need an AI tool to help customer success teams", "need an AI tool"),
        ("build a copilot for account managers", "build a copilot"),
        ("implement an LLM for ticket triage", "implement an LLM"),
        ("deploy GPT-4o on the help centre", "deploy GPT-4o"),
        ("use AI to write the summaries", "use AI"),
        ("a model that predicts churn", "a model that"),
        ("an assistant that drafts replies", "an assistant"),
        ("a virtual assistant for HR questions", "a virtual assistant"),
        ("an internal AI agent", "an internal AI agent"),
        ("leveraging machine learning", "leveraging machine learning"),
    ],
)
@pytest.mark.parametrize("field", ["user_team", "friction", "cause"])
def test_a_tool_in_user_friction_or_cause_is_a_blocking_solution_not_problem(
    field: str, text: str, named: str
) -> None:
    check = check_problem_statement(statement(**{field: text}))

    finding = only(check, "solution_not_problem", field)
    assert finding.severity == BLOCKING
    assert f"'{named}'" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "customers abandon the existing chatbot because it cannot answer billing questions",
        "an executive assistant books travel by email",
        "a pricing model that ignores usage",
        "agents copy answers from three wikis by hand",
        "renewal preparation requires manually reviewing CRM notes",
    ],
)
def test_describing_todays_pain_is_not_naming_a_solution(text: str) -> None:
    check = check_problem_statement(statement(friction=text, cause=text))

    assert "solution_not_problem" not in codes(check)


@pytest.mark.parametrize("field", ["desired_outcome", "success_metric", "constraints", "kpi"])
def test_naming_the_ai_outcome_outside_the_problem_parts_is_allowed(field: str) -> None:
    text = "an AI assistant drafts a renewal briefing in 5 minutes"

    check = check_problem_statement(statement(**{field: text}))

    assert "solution_not_problem" not in codes(check)


def test_one_solution_finding_per_part_quoting_the_first_tool_named() -> None:
    text = "We need a chatbot, or an AI assistant, or a copilot"

    check = check_problem_statement(statement(friction=text))

    assert "'need a chatbot'" in only(check, "solution_not_problem", "friction").message


# --- A named user -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "users",
        "the team",
        "The business",
        "everyone",
        "Staff",
        "employees",
        "our people",
        "Customers",
        "people",
        "stakeholders",
        "Engineers",
        "Business users",
        "All employees",
        "Internal stakeholders",
        "the whole company",
    ],
)
def test_a_generic_user_or_team_blocks(text: str) -> None:
    check = check_problem_statement(statement(user_team=text))

    finding = only(check, "no_named_user", "user_team")
    assert finding.severity == BLOCKING
    assert finding.message.startswith(
        f"Name who has the problem: '{text}' is not a specific user or team."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Finance analysts closing month-end",
        "Enterprise customers",
        "Enterprise account managers",
        "Engineers triaging incidents",
        "Tier-2 support agents",
        "Product managers synthesizing customer feedback",
        "Security analysts reviewing alerts",
    ],
)
def test_a_specific_user_or_team_is_named(text: str) -> None:
    assert is_named_user(text) is True
    assert "no_named_user" not in codes(check_problem_statement(statement(user_team=text)))


def test_an_empty_user_is_only_missing() -> None:
    assert codes(check_problem_statement(statement(user_team="  ")), "user_team") == ["missing"]


# --- Target date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [date(2026, 6, 30), datetime(2026, 6, 30, 9, 30), "2026-06-30", " 2026-06-30 "],
)
def test_target_date_is_read_from_a_date_or_an_iso_string(value: object) -> None:
    assert parse_target_date(value) == date(2026, 6, 30)


@pytest.mark.parametrize("value", ["ASAP", "Q3 2026", "30/06/2026", "2026-02-30", "next year"])
def test_an_unreadable_target_date_blocks(value: str) -> None:
    check = check_problem_statement(statement(target_date=value))

    finding = only(check, "invalid_date", "target_date")
    assert finding.severity == BLOCKING
    assert f"'{value.strip()}'" in finding.message


@pytest.mark.parametrize("value", [date(2026, 1, 14), "2025-12-31"])
def test_a_target_date_before_today_is_a_warning(value: object) -> None:
    check = check_problem_statement(statement(target_date=value), today=TODAY)

    finding = only(check, "target_date_past", "target_date")
    assert finding.severity == WARNING
    assert "2026-01-15" in finding.message


@pytest.mark.parametrize("value", [TODAY, date(2026, 1, 16), "2026-06-30"])
def test_a_target_date_today_or_later_is_fine(value: object) -> None:
    check = check_problem_statement(statement(target_date=value), today=TODAY)

    assert codes(check, "target_date") == []


def test_a_past_target_date_is_not_checked_without_today() -> None:
    check = check_problem_statement(statement(target_date="2001-01-01"))

    assert codes(check, "target_date") == []


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_an_empty_target_date_is_only_missing(empty: object) -> None:
    check = check_problem_statement(statement(target_date=empty), today=TODAY)

    assert codes(check, "target_date") == ["missing"]


# --- Clarity score ----------------------------------------------------------------------------


def test_a_statement_with_no_findings_scores_five() -> None:
    check = check_problem_statement(statement(), today=TODAY)

    assert check.findings == ()
    assert check.clarity_score == 5
    assert check.complete is True
    assert check.blocking is False


@pytest.mark.parametrize(
    ("changes", "score"),
    [
        ({"baseline": "Low"}, 4),
        ({"baseline": "Low", "target": "High"}, 3),
        ({"baseline": "Low", "target": "High", "user_team": "users"}, 2),
        ({"baseline": "Low", "target": "High", "user_team": "users", "kpi": ""}, 1),
        ({"baseline": "Low", "target": "High", "user_team": "users", "kpi": "", "cause": ""}, 1),
        ({"cost": "several hours"}, 4),
        ({"cost": "several hours", "desired_outcome": "save time", "target_date": "2020-01-01"}, 4),
        ({"cost": "several hours", "baseline": "Low"}, 3),
    ],
)
def test_each_blocking_finding_costs_a_point_and_warnings_together_cost_one(
    changes: dict[str, object], score: int
) -> None:
    assert check_problem_statement(statement(**changes), today=TODAY).clarity_score == score


def test_three_missing_template_parts_are_scored_by_findings() -> None:
    check = check_problem_statement(statement(cause="", cost="", constraints=""))

    assert check.clarity_score == 2


def test_more_than_half_of_the_template_missing_scores_one() -> None:
    values = statement(cause="", cost="", constraints="", success_metric="")

    assert check_problem_statement(values).clarity_score == 1


def test_missing_extras_alone_never_trigger_the_half_missing_rule() -> None:
    check = check_problem_statement(statement(kpi="", non_ai_alternative=""))

    assert check.clarity_score == 3


# --- The seed's examples and ours -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We need an AI tool to help customer success teams work faster.",
        "We need to use AI to improve productivity.",
        "We want an AI tool to help our support team.",
        "We should automate reporting.",
        "We need a chatbot for internal knowledge.",
        "We want to use AI to reduce manual work.",
        "We need an AI assistant.",
        "We should automate this process.",
        "Can we use ChatGPT for customer support?",
        "Let's build an internal copilot.",
        "Can we add AI to the product?",
    ],
)
def test_the_seeds_weak_statements_score_one_or_two_and_are_called_vague(text: str) -> None:
    check = check_problem_statement({"friction": text})

    assert check.clarity_score in (1, 2)
    assert check.blocking is True
    assert "vague_phrase" in codes(check, "friction")


@pytest.mark.parametrize(
    "text",
    [
        "We need an AI tool to help customer success teams work faster.",
        "We need to use AI to improve productivity.",
        "We want an AI tool to help our support team.",
        "We need a chatbot for internal knowledge.",
        "We want to use AI to reduce manual work.",
    ],
)
def test_the_seeds_weak_statements_name_a_solution_even_in_a_complete_page(text: str) -> None:
    check = check_problem_statement(statement(friction=text))

    assert only(check, "solution_not_problem", "friction").severity == BLOCKING
    assert check.clarity_score <= 3


def test_the_seeds_weak_example_lists_every_gap() -> None:
    check = check_problem_statement(
        {"friction": "We need an AI tool to help customer success teams work faster."}
    )

    assert codes(check, "friction") == [
        "solution_not_problem",
        "vague_phrase",
        "vague_phrase",
        "vague_phrase",
    ]
    assert [f.field for f in check.findings if f.code == "missing"] == [
        f for f in ALL_FIELDS if f != "friction"
    ]
    assert check.clarity_score == 1


def test_the_seeds_strong_renewal_briefing_has_no_blocking_finding_and_scores_four() -> None:
    check = check_problem_statement(RENEWAL_BRIEFING, today=TODAY)

    assert check.blocking is False
    assert check.complete is True
    # The seed's own cost says "several hours": the one thing left to sharpen.
    assert [(f.field, f.code) for f in check.findings] == [("cost", "no_number")]
    assert check.clarity_score == 4


def test_the_renewal_briefing_scores_five_once_its_cost_has_a_number() -> None:
    values = statement(RENEWAL_BRIEFING, cost="6 hours of preparation work each week per CSM")

    assert check_problem_statement(values, today=TODAY).clarity_score == 5


@pytest.mark.parametrize("values", [SUPPORT_RUNBOOKS, MONTH_END_MATCHING, ALERT_TRIAGE])
def test_our_strong_statements_are_clean(values: dict[str, object]) -> None:
    check = check_problem_statement(values, today=TODAY)

    assert check.findings == ()
    assert check.clarity_score == 5


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ALL_VAGUE,
            {
                ("user_team", "no_named_user"),
                ("friction", "solution_not_problem"),
                ("friction", "vague_phrase"),
                ("cost", "no_number"),
                ("desired_outcome", "vague_phrase"),
                ("baseline", "no_number"),
                ("target", "no_number"),
                ("target_date", "invalid_date"),
            },
        ),
        (
            CHATBOT_FIRST,
            {
                ("friction", "solution_not_problem"),
                ("friction", "vague_phrase"),
                ("cause", "solution_not_problem"),
                ("cause", "vague_phrase"),
                ("cost", "no_number"),
                ("desired_outcome", "vague_phrase"),
                ("baseline", "no_number"),
                ("target", "no_number"),
            },
        ),
    ],
)
def test_our_weak_statements_are_complete_but_score_one(
    values: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    check = check_problem_statement(values, today=TODAY)

    assert check.complete is True
    assert {(f.field, f.code) for f in check.findings} == expected
    assert check.clarity_score == 1


def test_a_half_started_statement_scores_one() -> None:
    check = check_problem_statement(HALF_STARTED)

    assert codes(check, "user_team") == ["no_named_user"]
    assert check.clarity_score == 1


# --- Ordering ---------------------------------------------------------------------------------


def test_findings_are_ordered_by_template_part_then_code() -> None:
    check = check_problem_statement(ALL_VAGUE, today=TODAY)

    order = [(ALL_FIELDS.index(f.field), FINDING_CODES.index(f.code)) for f in check.findings]
    assert order == sorted(order)


def test_findings_do_not_depend_on_the_order_of_the_mapping() -> None:
    reversed_values = dict(reversed(list(CHATBOT_FIRST.items())))

    assert check_problem_statement(reversed_values) == check_problem_statement(CHATBOT_FIRST)


def test_a_check_is_a_frozen_value() -> None:
    check = check_problem_statement(SUPPORT_RUNBOOKS)

    assert check == check_problem_statement(SUPPORT_RUNBOOKS)
    with pytest.raises(AttributeError):
        check.clarity_score = 5  # type: ignore[misc]


def test_findings_for_returns_one_parts_findings() -> None:
    check = check_problem_statement(CHATBOT_FIRST)

    assert [f.code for f in check.findings_for("friction")] == [
        "solution_not_problem",
        "vague_phrase",
    ]
    assert check.findings_for("kpi") == ()


# --- Rendering --------------------------------------------------------------------------------


def test_a_complete_statement_renders_as_the_templates_two_sentences() -> None:
    assert render_problem_statement(MONTH_END_MATCHING) == (
        "For Finance analysts closing month-end, the problem is matching intercompany invoices "
        "to payments by hand in spreadsheets, caused by the two ERPs use different invoice "
        "references and share no key, resulting in the close takes eight working days and two "
        "analysts spend half of it matching. A successful AI-enabled solution would propose "
        "matches for analyst approval, with the reason for each, measured by share of invoices "
        "matched with 99% sampled accuracy, within SOX controls; ledger data never leaves the "
        "finance tenant."
    )


def test_an_empty_statement_renders_every_placeholder() -> None:
    assert render_problem_statement({}) == (
        "For [specific user/team], the problem is [specific friction], caused by [current "
        "constraint or workflow breakdown], resulting in [measurable cost, delay, risk or missed "
        "opportunity]. A successful AI-enabled solution would [desired outcome], measured by "
        "[success metric], within [data, workflow, compliance, security or customer constraints]."
    )


@pytest.mark.parametrize("part", TEMPLATE_PARTS, ids=lambda part: part.field)
def test_a_missing_part_shows_its_placeholder(part: ProblemStatementPart) -> None:
    sentence = render_problem_statement(statement(**{part.field: " "}))

    assert part.placeholder in sentence
    assert sentence.count("[") == 1


@pytest.mark.parametrize("ending", [".", "!", "?", ";", ",", ":", "...", "…", ". ", ".\n"])
def test_trailing_punctuation_of_a_part_is_stripped(ending: str) -> None:
    sentence = render_problem_statement(statement(constraints=f"SOX controls{ending}"))

    assert sentence.endswith("within SOX controls.")


def test_line_breaks_inside_a_part_become_spaces() -> None:
    sentence = render_problem_statement(statement(friction="agents search\n\nfour   wikis"))

    assert "the problem is agents search four wikis, caused by" in sentence


def test_extras_do_not_appear_in_the_sentence() -> None:
    sentence = render_problem_statement(SUPPORT_RUNBOOKS)

    assert "Merge the wikis" not in sentence
    assert "9 hours" not in sentence


def test_the_check_carries_the_rendered_sentence() -> None:
    values = statement(cost="")

    assert check_problem_statement(values).sentence == render_problem_statement(values)


# --- Differences between versions ------------------------------------------------------------


def test_identical_versions_have_no_changes() -> None:
    assert diff_problem_statements(SUPPORT_RUNBOOKS, dict(SUPPORT_RUNBOOKS)) == ()


def test_changed_parts_are_listed_in_template_order_with_labels() -> None:
    after = statement(target="8 hours", user_team="Tier-2 support agents in EMEA")

    assert diff_problem_statements(SUPPORT_RUNBOOKS, after) == (
        FieldChange(
            field="user_team",
            label="Specific user or team",
            before="Tier-2 support agents handling technical tickets",
            after="Tier-2 support agents in EMEA",
        ),
        FieldChange(field="target", label="Target", before="9 hours", after="8 hours"),
    )


def test_surrounding_whitespace_is_not_a_change() -> None:
    after = statement(friction=f"  {SUPPORT_RUNBOOKS['friction']}\n")

    assert diff_problem_statements(SUPPORT_RUNBOOKS, after) == ()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (date(2026, 6, 30), "2026-06-30"),
        ("2026-06-30", date(2026, 6, 30)),
        (datetime(2026, 6, 30, 12, 0), date(2026, 6, 30)),
        (None, ""),
        ("", "   "),
    ],
)
def test_equal_dates_and_empty_values_are_not_a_change(before: object, after: object) -> None:
    assert diff_problem_statements({"target_date": before}, {"target_date": after}) == ()


def test_a_moved_target_date_is_shown_as_iso_strings() -> None:
    changes = diff_problem_statements(
        {"target_date": date(2026, 6, 30)}, {"target_date": "2026-09-30"}
    )

    assert changes == (FieldChange("target_date", "Target date", "2026-06-30", "2026-09-30"),)


def test_filling_and_clearing_parts_are_changes_from_and_to_empty() -> None:
    changes = diff_problem_statements({"kpi": "Days to close"}, {"baseline": "8 working days"})

    assert [(c.field, c.before, c.after) for c in changes] == [
        ("kpi", "Days to close", ""),
        ("baseline", "", "8 working days"),
    ]


def test_a_first_version_lists_every_filled_part() -> None:
    changes = diff_problem_statements({}, SUPPORT_RUNBOOKS)

    assert [c.field for c in changes] == ALL_FIELDS


@pytest.mark.parametrize("phrase", VAGUE_PHRASES, ids=lambda phrase: phrase.name)
def test_every_listed_vague_phrase_recognises_its_own_wording(phrase: VaguePhrase) -> None:
    assert phrase.pattern.search(f"In short, {phrase.name}.") is not None
