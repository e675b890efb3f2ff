"""Publicity's to-dos on the county office's workbench: units to put on notice, objections to
handle, notices whose period is over, confirmed units waiting for the list."""

from django.urls import reverse
from django.utils import timezone

from hexie.core.worklist import Todo

from . import selectors


def publicity_todos(user) -> list[Todo]:
    today = timezone.localdate()
    counts = selectors.todo_counts(user, today)
    if not counts:
        return []
    page = reverse("publicity:index")
    todos = []
    pending = counts["pending"]
    if pending["n"]:
        todos.append(Todo("publicity.to_notice", "待公示的认定单位", pending["n"],
                          f"{page}?year={pending['year']}"))
    objections = counts["objections"]
    if objections["n"]:
        todos.append(Todo("publicity.objections", "待处理的异议", objections["n"],
                          reverse("publicity:objections") + "?state=received",
                          objections["due"], objections["due"] < today))
    expired = counts["expired"]
    if expired["n"]:
        todos.append(Todo("publicity.notices_to_close", "公示期已满待结束", expired["n"],
                          reverse("publicity:notices") + "?state=open", expired["due"],
                          expired["due"] < today))
    confirmed = counts["confirmed"]
    if confirmed["n"]:
        todos.append(Todo("publicity.to_publish", "待公布名单", confirmed["n"],
                          f"{page}?year={confirmed['year']}#publish"))
    return todos
