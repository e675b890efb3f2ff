"""Demo of publicity: the county puts the year's recognitions on notice, records one objection
and dismisses it, closes the notice after its period and publishes the list.

Called by the demo loader after the recognition demo has made its recognitions. Everything goes
through the services (so it is audited and notified like real work); the notice is back-dated
through ``starts_on`` so that its period is already over on the day the demo is loaded.
"""

import datetime

from django.utils import timezone

from hexie.recognition.models import Recognition

from . import services
from .models import PublishedList


def demo_notice_and_publish(region_code: str, year: int, county_user) -> PublishedList | None:
    """Notice, one dismissed objection, close, publish; idempotent (nothing again once the
    county's list of ``year`` is out, or when there is nothing pending to notice)."""
    existing = PublishedList.objects.filter(region_id=region_code, year=year).first()
    if existing is not None:
        return existing
    pending = list(Recognition.objects.filter(region_id=region_code, year=year,
                                              state=Recognition.State.PENDING)
                   .select_related("unit").order_by("id"))
    if not pending:
        return None
    today = timezone.localdate()
    period = services.recognition_policy.current(region=region_code).notice_period_days
    # Back-dated by one whole period (the earliest the service accepts): it ended yesterday.
    starts_on = today - datetime.timedelta(days=period)
    notice = services.open_notice(
        county_user, region_code, year, [r.pk for r in pending], starts_on=starts_on,
        title=f"{year} 年度和谐劳动关系单位认定公示",
        body="以下单位经县（市、区）协调劳动关系三方评估通过，拟认定为和谐劳动关系单位，现予公示。",
    )
    if notice.ends_on < today:
        objection = services.record_objection(
            county_user, notice, pending[0], received_on=notice.starts_on, channel="phone",
            content="反映该单位去年曾有加班费发放不及时的情况。",
            contact="匿名来电（未留联系方式）",
        )
        services.handle_objection(
            county_user, objection, upheld=False,
            finding="经调取工资发放记录并走访职工，加班费已按月足额发放，反映情况不属实。",
            answer="经核查，反映情况不属实，该单位继续公示。感谢您对和谐劳动关系创建工作的关注。",
        )
        services.close_notice(county_user, notice)
        return services.publish_list(county_user, region_code, year,
                                     f"{year} 年度和谐劳动关系单位名单")
    return None
