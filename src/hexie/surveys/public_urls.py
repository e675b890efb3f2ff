"""The anonymous worker pages (survey links, the concern channel): no sign-in."""

from django.urls import path

from . import views

app_name = "survey_public"

urlpatterns = [
    path("v/<int:unit_id>/<str:key>/", views.concern_form, name="voice"),
    path("v/<int:unit_id>/<str:key>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/", views.answer_form, name="answer"),
]
