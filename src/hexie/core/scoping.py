"""The region-scope choke point.

A user's scope for a permission is the union of what their role memberships grant: region-code
prefixes for offices (DOMAIN.md §1: code C sees exactly the units whose region code starts with
C) and explicit unit ids for unit admins, coordinators and assessors. Every selector, page, API
endpoint and export asks :func:`scope_for` and filters through :meth:`Scope.q`; nothing else
filters by hand. Objects outside the scope are answered with 404.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q

# Later apps add the units a role reaches through their own records (for example the review
# assignments of an assessor organisation): role -> [fn(user, memberships) -> unit ids].
UNIT_SCOPE_PROVIDERS: dict[str, list[Callable]] = {}


def register_unit_scope_provider(role: str, provider: Callable) -> None:
    UNIT_SCOPE_PROVIDERS.setdefault(role, []).append(provider)


# Roles whose permissions depend on the membership, not on the role alone (an API token's
# listed writes): role -> fn(user, membership) -> the permissions that membership holds.
PERMISSION_PROVIDERS: dict[str, Callable] = {}


def register_permission_provider(role: str, provider: Callable) -> None:
    PERMISSION_PROVIDERS[role] = provider


# The role table, registered by accounts in its AppConfig.ready (core imports no other app):
# role -> spec with ``scope_kind`` ("region", "unit" or "assigned"), ``permissions`` and,
# optionally, ``assigned_permissions`` (held only on the units the role's providers give).
ROLE_SPECS: dict[str, object] = {}


def register_role_specs(specs: Mapping[str, object]) -> None:
    ROLE_SPECS.update(specs)


def _minimal_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Drop prefixes already covered by a shorter one (33 covers 3301)."""
    kept: list[str] = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    region_prefixes: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.region_prefixes and not self.unit_ids

    def q(self, region_field: str = "region__code", unit_field: str | None = "pk") -> Q:
        """A filter matching the objects inside this scope (matches nothing when empty).
        ``unit_field`` None: the objects belong to a division, not a unit, so unit ids are
        no reach."""
        condition = Q(pk__in=[])
        for prefix in self.region_prefixes:
            condition |= Q(**{f"{region_field}__startswith": prefix})
        if self.unit_ids and unit_field:
            condition |= Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
        return condition

    def covers_region(self, code: str) -> bool:
        return any(code.startswith(p) for p in self.region_prefixes)

    def covers(self, unit_id: int | None, region_code: str) -> bool:
        return self.covers_region(region_code) or (unit_id is not None and unit_id in self.unit_ids)


EMPTY = Scope()


def scope_for(user, permission: str) -> Scope:
    """The scope in which ``user`` holds ``permission``; cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cache = user.__dict__.setdefault("_hexie_scope_cache", {})
    if permission in cache:
        return cache[permission]
    prefixes: list[str] = []
    unit_ids: set[int] = set()
    if "_hexie_memberships" not in user.__dict__:
        user.__dict__["_hexie_memberships"] = list(user.memberships.all())
    for m in user.__dict__["_hexie_memberships"]:
        spec = ROLE_SPECS.get(m.role)
        if spec is None:
            continue
        provider = PERMISSION_PROVIDERS.get(m.role)
        if permission in (provider(user, m) if provider else spec.permissions):
            if spec.scope_kind == "region" and m.region_id:
                prefixes.append(m.region_id)
            elif spec.scope_kind == "unit" and m.unit_id:
                unit_ids.add(m.unit_id)
        elif permission not in getattr(spec, "assigned_permissions", ()):
            continue
        # What the role reaches through records assigning units to it; for a permission held
        # only there (``assigned_permissions``), that is the whole reach.
        for provider in UNIT_SCOPE_PROVIDERS.get(m.role, ()):
            unit_ids.update(provider(user, m))
    scope = Scope(_minimal_prefixes(prefixes), frozenset(unit_ids))
    cache[permission] = scope
    return scope
