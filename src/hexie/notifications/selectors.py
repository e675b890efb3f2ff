"""Read queries of the messages: a user reads only their own (anyone else's is a 404)."""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404

from .models import Notification


def notifications_for(user):
    """The user's own messages, unread first, newest first within each group."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    is_read = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    return (Notification.objects.filter(recipient_id=user.pk).alias(is_read=is_read)
            .order_by("is_read", "-id"))


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def get_notification(user, pk) -> Notification:
    try:
        return notifications_for(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("消息不存在") from None
