from rest_framework.routers import DefaultRouter

from .api import SelfAssessmentViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("self-assessments", SelfAssessmentViewSet, basename="self-assessment")
urlpatterns = router.urls
