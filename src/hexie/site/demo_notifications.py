"""Demo messages: each unit admin whose unit received an initiative letter gets the message a
delivery would send, so the badge and the messages page have something to show. Idempotent."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hexie.campaigns.models import LetterDelivery
from hexie.notifications.models import Notification
from hexie.notifications.recipients import unit_admins
from hexie.notifications.services import notify

KIND = "campaigns.letter_delivered"


def load_demo_notifications() -> int:
    """Write the missing letter messages; returns how many were written."""
    written = 0
    for delivery in LetterDelivery.objects.select_related("letter", "unit").order_by("id"):
        url = reverse("campaigns:letter", args=[delivery.pk])
        if Notification.objects.filter(kind=KIND, url=url).exists():
            continue
        written += notify(
            unit_admins(delivery.unit_id), KIND,
            _("收到倡议书：%(title)s") % {"title": delivery.letter.title},
            _("%(unit)s 收到本年度和谐劳动关系创建活动倡议书，请签收并在第一季度内经"
              "职工（代表）大会讨论后提交创建承诺书。") % {"unit": delivery.unit.name},
            url,
        )
    return written
