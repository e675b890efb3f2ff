"""The campaign's own deadline: the pledge window (seed 四（一）倡议承诺).

Reading (docs/decisions.md D23): the seed puts the whole 倡议承诺 step in the first quarter
("每年第一季度……发送……倡议书"; the units then discuss and pledge), so the window for pledging
ends when the initiative window ends (campaigns policy ``initiative_window``, 3 月 31 日). The
units that received this year's letter and have not pledged are reminded before it ends.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from hexie.accounts.selectors import unit_admins_of
from hexie.core.clauses import cite
from hexie.notifications.reminders import Deadline, lead_days

from . import policy
from .models import CampaignYear, LetterDelivery, Pledge


def pledge_window(today: datetime.date) -> list[Deadline]:
    """One deadline per campaign of this year whose window ends within the largest lead time;
    its recipients are the admins of every unit with a letter of that campaign and no pledge
    for the year (one query per campaign)."""
    __, ends_on = policy.current(today).initiative_window(today.year)
    days_left = (ends_on - today).days
    if not 0 <= days_left <= max(lead_days(today), default=0):
        return []
    deadlines = []
    for campaign in CampaignYear.objects.filter(year=today.year).select_related("region"):
        waiting = (LetterDelivery.objects.filter(letter__campaign=campaign)
                   .exclude(unit_id__in=Pledge.objects.filter(year=campaign.year)
                            .values("unit_id"))
                   .values("unit_id"))
        recipients = unit_admins_of(waiting)
        deadlines.append(Deadline(
            key=f"pledge-window:{campaign.pk}",
            due_on=ends_on,
            recipients=recipients,
            title=_("%(year)s 年度创建承诺书请于 %(date)s 前提交") % {
                "year": campaign.year, "date": f"{ends_on:%Y-%m-%d}"},
            body=_("本单位已收到%(region)s发出的 %(year)s 年度和谐劳动关系创建活动倡议书，"
                   "尚未提交创建承诺书。请经职工大会或职工代表大会讨论确定后，在第一季度结束前提交。"
                   "依据：%(rule)s。") % {
                "region": campaign.region.full_name, "year": campaign.year,
                "rule": cite("4.1")},
            url=reverse("campaigns:pledge"),
        ))
    return deadlines
