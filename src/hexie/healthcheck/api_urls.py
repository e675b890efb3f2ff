from rest_framework.routers import DefaultRouter

from .api import HealthCheckViewSet, RemediationTaskViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("health-checks", HealthCheckViewSet, basename="health-check")
router.register("remediation-tasks", RemediationTaskViewSet, basename="remediation-task")
urlpatterns = router.urls
