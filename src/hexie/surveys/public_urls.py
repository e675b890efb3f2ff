"""The anonymous worker pages (survey links, the concern channel): no sign-in."""

from django.urls import path  # noqa: F401

app_name = "survey_public"

urlpatterns: list = []
