from rest_framework.routers import DefaultRouter

from .api import AppealViewSet, ApplicationViewSet, ReviewAssignmentViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("applications", ApplicationViewSet, basename="application")
router.register("appeals", AppealViewSet, basename="appeal")
router.register("review-assignments", ReviewAssignmentViewSet, basename="review-assignment")
urlpatterns = router.urls
