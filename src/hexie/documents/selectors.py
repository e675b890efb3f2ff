"""What each document is printed from, read exactly as the object itself is read: the campaign's
own selectors for letters and pledges, the scope choke point for recognitions; published lists
are public."""

from django.http import Http404

from hexie.accounts.roles import RECOGNITION_VIEW
from hexie.campaigns.selectors import get_delivery, get_letter, get_pledge  # noqa: F401
from hexie.publicity.models import PublishedList
from hexie.recognition.models import Recognition

NOT_FOUND = "不存在或不在您的管辖范围内"


def get_recognition(user, pk) -> Recognition:
    """A recognition inside the user's scope; a removed one has no notice to print."""
    try:
        return (Recognition.objects.visible_to(user, RECOGNITION_VIEW)
                .select_related("unit", "region")
                .exclude(state=Recognition.State.REMOVED).get(pk=pk))
    except (Recognition.DoesNotExist, ValueError, TypeError):
        raise Http404("认定" + NOT_FOUND) from None


def get_published_list(pk) -> PublishedList:
    """A published list, for anyone (seed 四（三）"向社会公布名单")."""
    try:
        return PublishedList.objects.select_related("region").get(pk=pk)
    except (PublishedList.DoesNotExist, ValueError, TypeError):
        raise Http404("公布名单不存在") from None
