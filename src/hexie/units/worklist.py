"""The registry's to-dos on the workbench: access requests waiting for an office."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hexie.core.worklist import Todo

from .access import pending_for


def access_request_todos(user) -> list[Todo]:
    count = pending_for(user).count()
    if not count:
        return []
    return [Todo(key="units.access_requests", title=_("待审核的单位账号申请"), count=count,
                 url=reverse("units:access_requests"))]
