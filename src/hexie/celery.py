"""Celery app. With no REDIS_URL the settings make every task run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")

app = Celery("hexie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
