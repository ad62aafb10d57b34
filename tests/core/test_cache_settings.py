"""The figures cache: local memory by default, Redis (shared by the web workers) with REDIS_URL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache

ROOT = Path(__file__).resolve().parents[2]


def _cache_backend(redis_url: str) -> str:
    code = "import config.settings.base as s; print(s.CACHES['default']['BACKEND'])"
    env = {**os.environ, "REDIS_URL": redis_url, "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_cache_is_local_memory_without_redis_and_redis_with_it():
    assert _cache_backend("") == "django.core.cache.backends.locmem.LocMemCache"
    assert _cache_backend("redis://127.0.0.1:6379/0") == (
        "django.core.cache.backends.redis.RedisCache"
    )


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and os.environ.get("CI") != "true",
    reason="Needs REDIS_URL (a running Redis).",
)
def test_figures_cached_in_redis_come_back_as_they_went_in():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "gatehouse-test"})
    key = f"figures:test:{uuid.uuid4().hex}"
    cache.set(key, ({"on_track": 3}, "computed"), 30)
    try:
        assert cache.get(key) == ({"on_track": 3}, "computed")
    finally:
        cache.delete(key)
