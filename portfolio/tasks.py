"""Celery tasks of the portfolio app: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from portfolio.reminders import review_reminders_send


@shared_task(name="portfolio.send_review_reminders")
def send_review_reminders() -> int:
    """Send today's review-due reminders; returns how many were sent (run daily by beat).

    Safe to rerun or to run twice at once: the service claims each initiative before emailing.
    """
    return review_reminders_send(today=timezone.localdate())
