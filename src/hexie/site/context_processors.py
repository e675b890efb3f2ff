from hexie.accounts.roles import (
    AUDIT_VIEW,
    CAMPAIGNS_VIEW,
    SURVEYS_VIEW,
    UNITS_CREATE,
    UNITS_IMPORT,
    UNITS_VIEW,
)
from hexie.core.scoping import scope_for
from hexie.notifications.selectors import unread_count


def roles(request):
    """What the navigation needs to know about the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "units": not scope_for(user, UNITS_VIEW).is_empty,
            "create": not scope_for(user, UNITS_CREATE).is_empty,
            "import": not scope_for(user, UNITS_IMPORT).is_empty,
            "audit": user.is_superuser or not scope_for(user, AUDIT_VIEW).is_empty,
            # Campaign pages are the region's (offices, partners); unit admins reach theirs
            # from the workbench.
            "campaigns": bool(scope_for(user, CAMPAIGNS_VIEW).region_prefixes),
            "surveys": not scope_for(user, SURVEYS_VIEW).is_empty,
            "memberships": list(user.memberships.all()),
            "unread": unread_count(user),
        }
    }
