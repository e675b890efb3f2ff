"""Zhejiang's administrative divisions (GB/T 2260 / statistical division codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hexie.core.querysets import ScopedQuerySet

from . import codes


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("乡镇（街道）")


CODE_LENGTH = {Level.PROVINCE: codes.PROVINCE_LENGTH, Level.CITY: codes.CITY_LENGTH,
               Level.COUNTY: codes.COUNTY_LENGTH, Level.TOWN: codes.TOWN_LENGTH}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class Division(models.Model):
    """A province, city, county-level division or town/street; the code is the key."""

    scope_region_field = "code"
    scope_unit_field = None

    code = models.CharField(_("区划代码"), max_length=9, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("上级区划"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        """Name with its ancestors below the province, e.g. 杭州市西湖区北山街道."""
        names = []
        node = self
        while node is not None and node.level != Level.PROVINCE:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names)) or self.name
