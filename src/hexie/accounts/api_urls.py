from rest_framework.routers import DefaultRouter

from .api import MembershipViewSet, PersonViewSet

router = DefaultRouter()
router.register("people", PersonViewSet, basename="person")
router.register("memberships", MembershipViewSet, basename="membership")
urlpatterns = router.urls
