"""Signals the portfolio sends so apps built on it can react without the portfolio importing them.

`initiative_changed` is sent after an initiative or its problem statement was saved, inside the
same transaction, with `initiative`, `actor`, and `changes` ({field: [before, after]}, field
names prefixed "problem_statement." for the statement's parts, "vendors" as sorted names).
"""

from django.dispatch import Signal

initiative_changed = Signal()
