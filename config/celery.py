"""The Celery app. With REDIS_URL set, tasks go through Redis; without it they run in-process.

The in-process mode lets a first run (``make run``) work with nothing but python3.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("gatehouse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
