"""Evidence for the five autonomy conditions that passes every check, for the promotion tests."""

from __future__ import annotations

GOOD_EVIDENCE = {
    "precision": "94% exact-match on the 400-ticket eval set; the bar is 90%.",
    "safety": "Redlines, data policy and audit logging verified by security on 3 March.",
    "stability": "Error rate 0.8% and 0.6% in sprints 14 and 15; the error budget is 1%.",
    "observability": "Every reply links to its inputs, prompt version and approver in Langfuse.",
    "business_proof": "Median resolution time fell from 14 h to 9.5 h between January and March.",
}
