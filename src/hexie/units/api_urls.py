from rest_framework.routers import DefaultRouter

from .api import AccessRequestViewSet, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("access-requests", AccessRequestViewSet, basename="access-request")
urlpatterns = router.urls
