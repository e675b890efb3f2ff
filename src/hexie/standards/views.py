"""Standards pages: the libraries as a tree, and the difference between two versions."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .models import StandardLibrary
from .selectors import diff, libraries, rule_text
from .services import compiled


def _get(library_id: str, version) -> StandardLibrary:
    try:
        return StandardLibrary.objects.get(library_id=library_id, version=int(version))
    except (StandardLibrary.DoesNotExist, ValueError, TypeError):
        raise Http404("标准库不存在") from None


@login_required
def standard_list(request):
    return render(request, "standards/list.html", {"libraries": libraries()})


@login_required
def standard_detail(request, library_id, version):
    row = _get(library_id, version)
    lib = compiled(row.pk)
    sets = [
        {"set": s, "criteria": [
            {"criterion": c, "items": [{"item": i, "rule": rule_text(lib, i)} for i in c.items]}
            for c in s.criteria]}
        for s in lib.sets.values()
    ]
    return render(request, "standards/detail.html", {"row": row, "lib": lib, "sets": sets})


@login_required
def standard_diff(request):
    rows = list(libraries())
    a_key, b_key = request.GET.get("a", ""), request.GET.get("b", "")
    changes = None
    if a_key and b_key:
        a = _get(*_split(a_key))
        b = _get(*_split(b_key))
        changes = diff(a, b)
    return render(request, "standards/diff.html",
                  {"rows": rows, "a": a_key, "b": b_key, "changes": changes})


def _split(key: str):
    library_id, _, version = key.partition("@")
    return library_id, version
