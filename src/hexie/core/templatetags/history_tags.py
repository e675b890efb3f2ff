"""``{% timeline obj %}``: an aggregate's history (办理记录) on its page, in one query."""

from django import template

register = template.Library()


@register.inclusion_tag("core/_timeline.html")
def timeline(aggregate):
    events = aggregate.events.select_related("actor").order_by("created_at", "id")
    return {"events": list(events)}
