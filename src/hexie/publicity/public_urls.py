"""The public pages (no sign-in): published lists by year and region."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
