"""Pages that compose many apps: the start page (workbench) and the campaign year's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from hexie.accounts.roles import CAMPAIGNS_PLEDGE, CAMPAIGNS_VIEW, UNITS_VIEW
from hexie.campaigns import selectors as campaign_selectors
from hexie.core import worklist
from hexie.core.scoping import scope_for
from hexie.units.models import Unit

from . import dashboard


@login_required
def home(request):
    """The signed-in user's start page: who they are, what they reach."""
    units = Unit.objects.visible_to(request.user, UNITS_VIEW)
    scope = scope_for(request.user, UNITS_VIEW)
    memberships = request.user.memberships.select_related("region", "unit", "organisation")
    context = {
        "memberships": memberships,
        "unit_count": units.count() if not scope.is_empty else 0,
        "own_units": list(units[:5]) if scope.unit_ids and not scope.region_prefixes else [],
        "todos": worklist.todos_for(request.user),
    }
    if scope_for(request.user, CAMPAIGNS_PLEDGE).unit_ids:  # a unit admin's workbench
        context["unit_workbench"] = True
        context["letters"] = list(campaign_selectors.own_deliveries(request.user)[:5])
        context["pledges"] = list(
            campaign_selectors.pledges_for(request.user, permission=CAMPAIGNS_PLEDGE)[:5]
        )
    return render(request, "home.html", context)


@login_required
def campaign_dashboard(request, pk):
    """The county's dashboard of the campaign year (counts only; see dashboard.py). Like every
    campaign page it belongs to offices and partners (a region scope)."""
    if not scope_for(request.user, CAMPAIGNS_VIEW).region_prefixes:
        raise Http404(_("页面不存在"))
    campaign = campaign_selectors.get_campaign(request.user, pk)
    return render(request, "site/campaign_dashboard.html", {
        "campaign": campaign, "board": dashboard.dashboard_counts(request.user, campaign),
    })
