"""The scoped queryset every model that belongs to a region or unit uses (NetBox's
RestrictedQuerySet habit): ``Model.objects.visible_to(user, permission)`` and
``.in_scope(scope)``, so no selector, page, export or API filters by region prefix by hand.

A model says how it reaches its division and unit with two class attributes:
``scope_region_field`` (a lookup ending at a region code, e.g. ``"unit__region__code"``) and
``scope_unit_field`` (a lookup ending at a unit id, e.g. ``"unit_id"``; None when the model
belongs to a division, not a unit). ``scope_permission`` is the permission ``visible_to`` asks
for when the caller names none. The prefix filter itself is built once, by ``Scope.q``.
"""

from django.db import models
from django.db.models import Q

from .scoping import Scope, scope_for


class ScopedQuerySet(models.QuerySet):
    def _scope_fields(self) -> tuple[str, str | None]:
        model = self.model
        try:
            region_field = model.scope_region_field
        except AttributeError:
            raise TypeError(f"{model.__name__} declares no scope_region_field") from None
        return region_field, getattr(model, "scope_unit_field", None)

    def in_scope(self, scope: Scope, *, or_regions=()):
        """Rows inside ``scope``: under one of its region prefixes, or of one of its units.
        ``or_regions`` adds rows of exactly those division codes (the divisions above a
        scope that an office follows, e.g. a town office and its county's campaign)."""
        region_field, unit_field = self._scope_fields()
        condition = scope.q(region_field, unit_field)
        if or_regions:
            condition |= Q(**{f"{region_field}__in": sorted(or_regions)})
        elif scope.is_empty:
            return self.none()
        return self.filter(condition)

    def visible_to(self, user, permission: str | None = None):
        """Rows inside ``user``'s scope for ``permission`` (the model's ``scope_permission``
        when not given); an anonymous or inactive user, or one without it, sees none."""
        permission = permission or getattr(self.model, "scope_permission", None)
        if not permission:
            raise TypeError(f"{self.model.__name__}.objects.visible_to needs a permission")
        return self.in_scope(scope_for(user, permission))

    def within(self, code: str):
        """Rows of division ``code`` or of a division below it (a region picked in a filter,
        or a campaign's division); units reached by id do not count here."""
        region_field, _ = self._scope_fields()
        return self.filter(Scope((code,)).q(region_field, None))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
