from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import SurveyRoundViewSet, answer_endpoint

router = DefaultRouter()
router.include_root_view = False
router.register("survey-rounds", SurveyRoundViewSet, basename="survey-round")
urlpatterns = [
    path("survey-answers/", answer_endpoint, name="api-survey-answers"),
    *router.urls,
]
