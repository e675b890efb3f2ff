from rest_framework.routers import DefaultRouter

from .api import SurveyRoundViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("survey-rounds", SurveyRoundViewSet, basename="survey-round")
urlpatterns = router.urls
