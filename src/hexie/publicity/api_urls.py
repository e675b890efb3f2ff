from rest_framework.routers import DefaultRouter

from .api import NoticeViewSet, ObjectionViewSet, PublicEntryViewSet, PublishedListViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("notices", NoticeViewSet, basename="notice")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("published-lists", PublishedListViewSet, basename="published-list")
router.register("public/published-entries", PublicEntryViewSet, basename="public-entry")
urlpatterns = router.urls
