"""Hexie (和谐): the platform for Zhejiang's harmonious labour relations creation campaign."""

from .celery import app as celery_app

__all__ = ["celery_app"]
