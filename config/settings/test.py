"""Test settings: the same as production-shaped base, with fast hashing and captured email."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Ordinary tests run tasks in-process; the Celery worker test switches to the real broker itself.
CELERY_TASK_ALWAYS_EAGER = True

# Each test sees the data it just wrote: no cached figures (tests that check the caching turn it
# on), and never the shared Redis, where clearing the cache would drop Celery's messages.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AGGREGATE_CACHE_SECONDS = 0
