"""The public pages (no sign-in): published lists by year and region, open notices."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("notices/", public_views.notices, name="notices"),
    path("counties/", public_views.counties, name="counties"),
    path("download.csv", public_views.download_csv, name="download_csv"),
    path("download.json", public_views.download_json, name="download_json"),
]
