"""The campaign's to-dos on the workbench: letters to send and plans to make (county office),
letters to sign and the pledge to submit (unit admin)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import CAMPAIGNS_CULTIVATE, CAMPAIGNS_PLEDGE, CAMPAIGNS_SEND
from hexie.core.scoping import scope_for
from hexie.core.worklist import Todo

from . import policy
from .models import CampaignYear, LetterDelivery, Pledge


def campaign_todos(user) -> list[Todo]:
    today = timezone.localdate()
    todos = []
    send = scope_for(user, CAMPAIGNS_SEND)
    if send.region_prefixes:
        rules = policy.current()
        _, window_end = rules.initiative_window(today.year)
        unsent = CampaignYear.objects.filter(
            region_id__in=send.region_prefixes, year=today.year, letters__isnull=True
        )
        count = unsent.count()
        if count:
            first = unsent.order_by("id").first()
            todos.append(Todo("campaigns.letters_to_send", "本年度倡议书待发送", count,
                              reverse("campaigns:detail", args=[first.pk]), window_end,
                              today > window_end))
    cultivate = scope_for(user, CAMPAIGNS_CULTIVATE)
    if cultivate.region_prefixes:
        unplanned = Pledge.objects.in_scope(cultivate).filter(
            cultivation__isnull=True, year__gte=today.year - 1,
        )
        count = unplanned.count()
        if count:
            campaign_id = unplanned.order_by("-year").values_list("campaign_id", flat=True)[0]
            todos.append(Todo("campaigns.pledges_to_plan", "已承诺单位待安排培育计划", count,
                              reverse("campaigns:plan", args=[campaign_id])))
    pledge_scope = scope_for(user, CAMPAIGNS_PLEDGE)
    if pledge_scope.unit_ids:
        unit_ids = sorted(pledge_scope.unit_ids)
        unread = LetterDelivery.objects.filter(unit_id__in=unit_ids, read_at__isnull=True)
        count = unread.count()
        if count:
            latest = unread.order_by("-id").values_list("pk", flat=True)[0]
            todos.append(Todo("campaigns.letters_to_sign", "倡议书待签收", count,
                              reverse("campaigns:letter", args=[latest])))
        invited = set(LetterDelivery.objects.filter(
            unit_id__in=unit_ids, letter__campaign__year=today.year
        ).values_list("unit_id", flat=True))
        pledged = set(Pledge.objects.filter(unit_id__in=unit_ids, year=today.year)
                      .values_list("unit_id", flat=True))
        missing = invited - pledged
        if missing:
            todos.append(Todo("campaigns.pledge_to_submit", "本年度创建承诺书待提交",
                              len(missing), reverse("campaigns:pledge"),
                              datetime.date(today.year, 12, 31)))
    return todos
