"""How a vague problem statement reads: the wordings its checks look for.

Regular expressions and word lists only, with the questions they answer ("does this text state
a figure?", "which vague phrases does it use?"); what a finding says and how much it weighs is
`portfolio.problem_statement_rules`. Plain strings in, plain values out.

The signs of a vague statement come from the seed guide "AI problem statement" (see DOMAIN.md,
"Problem statement").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
# "implement an LLM".
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


def vague_phrases_in(text: str) -> list[tuple[str, VaguePhrase]]:
    """Each distinct vague wording in `text` (compared case-insensitively), as written there,
    with the phrase it is a variant of, in the order the author wrote them."""
    hits: dict[str, tuple[int, str, VaguePhrase]] = {}
    for phrase in VAGUE_PHRASES:
        for match in phrase.pattern.finditer(text):
            found = match.group(0)
            hits.setdefault(found.lower(), (match.start(), found, phrase))
    return [(found, phrase) for _, found, phrase in sorted(hits.values(), key=lambda hit: hit[0])]


def named_solution(text: str) -> str | None:
    """The tool `text` names instead of a pain ("we need a chatbot", "implement an LLM"), as
    written there, or None. When it names several, the earliest (the longest wording of it)."""
    matches = [m for pattern in _SOLUTION_PATTERNS if (m := pattern.search(text)) is not None]
    if not matches:
        return None
    first = min(matches, key=lambda match: (match.start(), -len(match.group(0))))
    return first.group(0)
