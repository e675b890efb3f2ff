"""The anonymous worker pages (survey links, the concern channel): no sign-in."""

from django.urls import path

from . import views
from .api import answer_endpoint

app_name = "survey_public"

urlpatterns = [
    # JSON for scripts and the load benchmark; under /s/ with the other anonymous pages (and
    # resolved long before the /api/v1/ includes).
    path("api/answers/", answer_endpoint, name="api_answers"),
    path("v/<int:unit_id>/<str:key>/", views.concern_form, name="voice"),
    path("v/<int:unit_id>/<str:key>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/", views.answer_form, name="answer"),
]
