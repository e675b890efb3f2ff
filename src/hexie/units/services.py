"""Every change to the registry: takes the acting user, checks scope and rules, audits, in one
transaction."""

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from hexie.accounts.roles import (
    UNITS_CHANGE,
    UNITS_CREATE,
    UNITS_OVERRIDE_SIZE,
    UNITS_VIEW,
)
from hexie.core import audit
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.refusal import refuse_unless
from hexie.core.scoping import scope_for

from .models import DERIVED_FIELDS, Kind, Unit
from .size import Size
from .validation import LABELS, FieldError, UnitValidator

# What a unit admin may correct about their own unit; identity, location and kind stay with
# the offices.
UNIT_ADMIN_EDITABLE = frozenset(
    {"name", "employees", "revenue_yuan", "assets_yuan", "address", "workers", "end_date"}
)
UNITS_DELETE = UNITS_CREATE  # deleting a unit is an office's registration act, like creating


class UnitInvalid(DomainError):
    def __init__(self, errors: list[FieldError]):
        self.field_errors = errors
        first = errors[0]
        super().__init__(
            f"{LABELS.get(first.field, first.field)}：{first.message}",
            field=first.field,
            errors=[
                {"field": e.field, "label": LABELS.get(e.field, e.field), "message": e.message}
                for e in errors
            ],
        )


def unit_to_raw(unit: Unit) -> dict:
    """A unit's fields in the validator's raw vocabulary."""
    raw = {name: getattr(unit, name) for name in LABELS if name not in ("region_code",)}
    raw["region_code"] = unit.region_id
    return raw


def snapshot(unit: Unit) -> dict:
    """The unit's fields for the audit log, without the columns derived from the name."""
    return {k: v for k, v in audit.snapshot(unit).items() if k not in DERIVED_FIELDS}


def effective_size(unit: Unit) -> str:
    return unit.size_override or unit.size_derived


def _uniqueness_errors(cleaned: dict, exclude_pk=None) -> list[FieldError]:
    errors = []
    others = Unit.objects.exclude(pk=exclude_pk) if exclude_pk else Unit.objects.all()
    if cleaned.get("credit_code") and others.filter(credit_code=cleaned["credit_code"]).exists():
        errors.append(FieldError("credit_code", "该统一社会信用代码已登记"))
    if cleaned.get("project_code") and others.filter(
        project_code=cleaned["project_code"]
    ).exists():
        errors.append(FieldError("project_code", "该项目代码已登记"))
    if cleaned["kind"] == Kind.TOWN and others.filter(
        kind=Kind.TOWN, region_id=cleaned["region_id"]
    ).exists():
        errors.append(FieldError("region_code", "该乡镇（街道）已登记为创建单位"))
    return errors


def _ensure_still_in_scope(actor, unit: Unit, permission: str) -> None:
    """After the save, inside the transaction: the unit must still be inside the actor's scope
    (no moving a unit into another county). Raising rolls the save back."""
    if not Unit.objects.visible_to(actor, permission).filter(pk=unit.pk).exists():
        raise DomainError("所在区划超出您的管辖范围，未保存。", field="region_code",
                          code="out_of_scope")


def create_unit(actor, data: dict) -> Unit:
    if scope_for(actor, UNITS_CREATE).is_empty:
        raise NotPermitted("您没有登记创建单位的权限。")
    cleaned, errors = UnitValidator.from_database().clean(data)
    if errors:
        raise UnitInvalid(errors)
    with transaction.atomic():
        errors = _uniqueness_errors(cleaned)
        if errors:
            raise UnitInvalid(errors)
        unit = Unit(**cleaned)
        unit.size = effective_size(unit)
        try:
            unit.save()
        except IntegrityError as exc:  # a concurrent insert of the same code
            raise DomainError("该单位已登记（代码重复）。") from exc
        _ensure_still_in_scope(actor, unit, UNITS_CREATE)
        audit.record(actor, "units.create", unit, after=snapshot(unit),
                     region_code=unit.region_id)
    return unit


def update_unit(actor, unit: Unit, changes: dict) -> Unit:
    """Apply ``changes`` (raw field names) to ``unit``. Units outside the actor's change scope
    are answered as not found."""
    scope = scope_for(actor, UNITS_CHANGE)
    refuse_unless(scope.covers(unit.pk, unit.region_id), actor, UNITS_VIEW,
                  "您只能查看该单位，不能修改。", unit=unit)
    changes = {k: v for k, v in changes.items() if k in LABELS}
    if "kind" in changes and changes["kind"] not in (unit.kind, Kind(unit.kind).label):
        raise UnitInvalid([FieldError("kind", "单位类型不可更改，请注销后重新登记")])
    if not scope.covers_region(unit.region_id):  # reaches the unit only as its own admin
        current = unit_to_raw(unit)
        forbidden = sorted(
            k for k, v in changes.items()
            if k not in UNIT_ADMIN_EDITABLE and str(v or "") != str(current.get(k) or "")
        )
        if forbidden:
            raise NotPermitted(
                "单位经办人不能修改：" + "、".join(LABELS[k] for k in forbidden), field=forbidden[0]
            )
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(locked)
        raw = unit_to_raw(locked) | changes
        cleaned, errors = UnitValidator.from_database().clean(raw)
        if errors:
            raise UnitInvalid(errors)
        errors = _uniqueness_errors(cleaned, exclude_pk=locked.pk)
        if errors:
            raise UnitInvalid(errors)
        if cleaned["region_id"] != locked.region_id and not scope.covers_region(
            cleaned["region_id"]
        ):  # a unit id in scope (unit admin, coordinator) never licenses a move
            raise DomainError("所在区划超出您的管辖范围，未保存。", field="region_code",
                              code="out_of_scope")
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.size = effective_size(locked)
        locked.save()
        _ensure_still_in_scope(actor, locked, UNITS_CHANGE)
        after = snapshot(locked)
        if audit.changed_fields(before, after) != ["updated_at"]:
            audit.record(actor, "units.update", locked, before=before, after=after,
                         region_code=locked.region_id)
    return locked


def override_size(actor, unit: Unit, size: str, reason: str) -> Unit:
    """An office sets (or, with ``size`` empty, clears) the size by hand, with a reason."""
    scope = scope_for(actor, UNITS_OVERRIDE_SIZE)
    refuse_unless(scope.covers(unit.pk, unit.region_id), actor, UNITS_VIEW,
                  "只有三方办公室可以核定企业规模。", unit=unit)
    if unit.kind != Kind.ENTERPRISE:
        raise DomainError("只有企业需要核定规模。", field="size_override")
    if size and size not in Size.values:
        raise DomainError("规模应为大型、中型、小型或微型。", field="size_override")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("核定（或撤销核定）企业规模必须填写理由。", field="size_override_reason")
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(locked)
        locked.size_override = size
        locked.size_override_reason = reason if size else ""
        locked.size = effective_size(locked)
        locked.save(update_fields=["size_override", "size_override_reason", "size", "updated_at"])
        audit.record(actor, "units.override_size", locked, before=before,
                     after=snapshot(locked) | {"reason": reason},
                     region_code=locked.region_id)
    return locked


def delete_unit(actor, unit: Unit) -> None:
    scope = scope_for(actor, UNITS_DELETE)
    refuse_unless(scope.covers_region(unit.region_id), actor, UNITS_VIEW,
                  "只有三方办公室可以注销创建单位。", unit=unit)
    with transaction.atomic():
        before = snapshot(unit)
        pk, region = unit.pk, unit.region_id
        try:
            unit.delete()
        except ProtectedError as exc:
            raise DomainError("该单位已有创建活动记录，不能删除。") from exc
        audit.record(actor, "units.delete", None, before=before, object_type="units.unit",
                     object_id=pk, object_repr=before["name"], region_code=region)
