"""``hexie reminders [--date YYYY-MM-DD]``: send the deadline reminders due that day (today by
default). Safe to run more than once a day: each reminder goes out once."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hexie.notifications import reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "发送到期前的截止日期提醒（每个提醒只发送一次）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        today = _date(options["date"]) if options["date"] else timezone.localdate()
        result = reminders.send_due(today)
        self.stdout.write(
            f"{today.isoformat()}: 发送提醒 {result.sent} 条（消息 {result.messages} 条），"
            f"已发送过 {result.skipped} 条"
        )
