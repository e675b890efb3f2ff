"""The operator's Django admin at /admin/: superusers only, audited, read-only where rows
never change.

Every model of every hexie app is registered in its app's ``admin.py`` (a test fails for one
that is not). Which models are read-only is decided by one marker, not by each ``admin.py``:
a model whose class has ``immutable = True`` (inherited, so an abstract base such as the audit
log's or an event table's carries it for all its subclasses) is shown view-only whatever admin
class registers it. Other models that must not be edited here (memberships: only
``accounts.services`` grants them) use :class:`ReadOnlyAdmin` explicitly.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import audit

# Never copied into an audit event (a password hash is not a record of what changed).
_SECRET_FIELDS = frozenset({"password"})


def is_read_only(model) -> bool:
    """True when stored rows of ``model`` never change (audit log, loaded versions, events)."""
    return bool(getattr(model, "immutable", False))


class ReadOnlyAdmin:
    """Mix in before ``admin.ModelAdmin``: the operator may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _snapshot(obj) -> dict:
    return {k: v for k, v in audit.snapshot(obj).items() if k not in _SECRET_FIELDS}


class AuditedAdmin(admin.ModelAdmin):
    """An operator's edit is a state change like any other: it lands in the audit chain in the
    same transaction (admin.create / admin.change / admin.delete), with before and after.
    Workflow states (django-fsm fields) are shown, not edited: only the services move them."""

    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        for field in self.model._meta.concrete_fields:
            if type(field).__name__ == "FSMField" and field.name not in fields:
                fields.append(field.name)
        return fields

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = _snapshot(type(obj)._default_manager.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        audit.record(request.user, "admin.change" if change else "admin.create", obj,
                     before=before, after=_snapshot(obj))

    def delete_model(self, request, obj):
        before, pk = _snapshot(obj), obj.pk
        super().delete_model(request, obj)
        audit.record(request.user, "admin.delete", obj, object_id=pk, before=before)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class OperatorAdminSite(admin.AdminSite):
    """Only an active superuser (who is also staff) gets in; a staff account without
    superuser status is refused like an anonymous one."""

    site_header = _("和谐劳动关系创建平台 · 运维管理")
    site_title = _("运维管理")
    index_title = _("全部数据")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.is_superuser

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (model_or_iterable if isinstance(model_or_iterable, list | tuple)
                  else [model_or_iterable])
        for model in models:
            cls = admin_class or AuditedAdmin
            if is_read_only(model) and not issubclass(cls, ReadOnlyAdmin):
                cls = type(f"ReadOnly{cls.__name__}", (ReadOnlyAdmin, cls), {})
            super().register(model, cls, **options)

