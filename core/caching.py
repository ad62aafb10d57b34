"""Reusing an expensive read for a few seconds: the dashboard's figures, the heatmap's summary.

Only figures that are costly on a large portfolio and harmless when a few seconds old are
cached, each under a key made of everything it depends on (its filters, the day), for
AGGREGATE_CACHE_SECONDS (0 turns caching off; the tests run with it off). The page says when
the figures were computed, so nobody mistakes them for live ones.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

T = TypeVar("T")


def cached_figures(
    name: str, key: tuple[object, ...], compute: Callable[[], T]
) -> tuple[T, datetime.datetime]:
    """`compute()`'s result and when it was computed: from the cache when a result for `name`
    and `key` is at most AGGREGATE_CACHE_SECONDS old, else computed now (and cached)."""
    seconds = settings.AGGREGATE_CACHE_SECONDS
    if seconds <= 0:
        return compute(), timezone.now()
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    cache_key = f"figures:{name}:{digest}"
    hit = cache.get(cache_key)
    if hit is not None:
        return hit
    figures = (compute(), timezone.now())
    cache.set(cache_key, figures, seconds)
    return figures
