"""Demo data: one unit's health check of the year, organised by the office and answered and
submitted through the services by the unit's admin (so every step is real and audited)."""

from . import services
from .models import HealthCheck

# The demo answers 否 to one red and two yellow items, so the result page, the report's radar
# chart, the remediation tasks and one red risk signal all have something to show.
DEMO_FAILED = ("HC-WH-02", "HC-WG-03", "HC-RL-02")


def demo_health_check(unit, admin, office, year: int) -> HealthCheck:
    """Organise (``office``: county or town office over ``unit``), answer and submit
    (``admin``: the unit's admin) ``unit``'s check of ``year``; idempotent."""
    services.load_path(None)
    result = services.organise(office, year, [unit])
    check = result.created[0] if result.created else HealthCheck.objects.get(unit=unit,
                                                                            year=year)
    if check.state != HealthCheck.State.OPEN:
        return check
    answers = {}
    for item in services.applicable_items(check):
        if item.id in DEMO_FAILED:
            answers[item.id] = "no"
        elif item.allow_na and item.id.startswith(("HC-DO-", "HC-TD-04")):
            answers[item.id] = "na"
        else:
            answers[item.id] = "yes"
    return services.submit(admin, check, answers)
