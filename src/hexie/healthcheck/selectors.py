"""Read queries of the health check, always through the region-scope choke point."""

from django.db.models import Count, Q
from django.http import Http404

from hexie.accounts.roles import HEALTHCHECK_VIEW
from hexie.regions import codes
from hexie.regions.models import Division

from .models import HealthCheck, Level, RemediationTask

NOT_FOUND = "不存在或不在您的管辖范围内"


def checks_for(user, *, year=None, state=None, level=None, town=None):
    """Checks of the units in the user's scope (offices by region, the unit admin its own)."""
    rows = HealthCheck.objects.visible_to(user, HEALTHCHECK_VIEW)
    if year:
        rows = rows.filter(year=year)
    if state:
        rows = rows.filter(state=state)
    if level:
        rows = rows.filter(level=level)
    if town:
        rows = rows.within(town)
    return rows.select_related("unit", "unit__region", "catalogue").order_by("-year", "unit_id")


def get_check(user, pk) -> HealthCheck:
    try:
        return checks_for(user).get(pk=pk)
    except (HealthCheck.DoesNotExist, ValueError, TypeError):
        raise Http404("体检" + NOT_FOUND) from None


def tasks_for(user, *, state=None):
    rows = RemediationTask.objects.visible_to(user, HEALTHCHECK_VIEW)
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("unit", "finding", "finding__health_check").order_by("due_on",
                                                                                    "id")


def get_task(user, pk) -> RemediationTask:
    try:
        return tasks_for(user).get(pk=pk)
    except (RemediationTask.DoesNotExist, ValueError, TypeError):
        raise Http404("整改任务" + NOT_FOUND) from None


def own_check(user, unit_id: int, year: int) -> HealthCheck | None:
    return checks_for(user, year=year).filter(unit_id=unit_id).first()


def progress(user, year: int) -> dict:
    """The year's checks at a glance: by state, by level and by town (three GROUP BYs)."""
    rows = checks_for(user, year=year).order_by()
    by_state = dict(rows.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    by_level = dict(rows.exclude(level="").values_list("level").annotate(n=Count("id"))
                    .values_list("level", "n"))
    town_rows = (rows.values_list("unit__region_id")
                 .annotate(n=Count("id"),
                           done=Count("id", filter=~Q(state=HealthCheck.State.OPEN)),
                           red=Count("id", filter=Q(level=Level.RED)))
                 .values_list("unit__region_id", "n", "done", "red"))
    towns: dict[str, list[int]] = {}
    for code, n, done, red in town_rows:
        acc = towns.setdefault(codes.town_of(code), [0, 0, 0])
        acc[0] += n
        acc[1] += done
        acc[2] += red
    names = dict(Division.objects.filter(code__in=towns).values_list("code", "name"))
    total = sum(by_state.values())
    done = total - by_state.get(HealthCheck.State.OPEN, 0)
    return {
        "total": total,
        "done": done,
        "percent": done * 100 // total if total else 0,
        "by_state": [(code, label, by_state.get(code, 0))
                     for code, label in HealthCheck.State.choices],
        "by_level": [(code, label, by_level.get(code, 0)) for code, label in Level.choices],
        "by_town": sorted(((code, names.get(code, code), *acc) for code, acc in towns.items()),
                          key=lambda row: row[0]),
    }
