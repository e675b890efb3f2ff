from rest_framework.routers import DefaultRouter

from .api import CampaignViewSet, DeliveryViewSet, LetterViewSet, PledgeViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("letters", LetterViewSet, basename="letter")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("pledges", PledgeViewSet, basename="pledge")
urlpatterns = router.urls
