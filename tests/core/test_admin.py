"""The operator's admin (issue 9 point 6): every model of every hexie app is in it, only
superusers get in, and the audit log, loaded versions, event tables and memberships are
view-only there. The tests iterate the app registry, so a model added later (an event table,
a policy version) fails here until its app's admin.py registers it."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from hexie.accounts.models import AssessorOrganisation, Membership, User
from hexie.core.adminsite import ReadOnlyAdmin, is_read_only
from hexie.core.models import AuditEvent
from hexie.healthcheck.models import CatalogueVersion
from hexie.standards.models import StandardLibrary
from hexie.units import services as unit_services
from tests.factories import XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

HEXIE_MODELS = [m for m in apps.get_models() if m._meta.app_config.name.startswith("hexie.")]
# Models that stay view-only without the immutable marker: memberships are granted only by
# accounts.services, invitations only by accounts.invitations, tokens only by accounts.tokens;
# survey answers are the workers' anonymous record.
VIEW_ONLY_BY_ADMIN = {"accounts.membership", "accounts.invitation", "accounts.apitoken",
                      "surveys.surveyanswer",
                      "surveys.surveycomment", "surveys.surveyapplication"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator():
    return User.objects.create_superuser("operator", "op@example.org", "Op-pass-123")


@pytest.fixture
def client_of(operator):
    client = Client()
    client.force_login(operator)
    return client


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_hexie_model_is_registered():
    missing = [m._meta.label for m in HEXIE_MODELS if not admin.site.is_registered(m)]
    assert HEXIE_MODELS and missing == []


def test_the_marker_makes_audit_versions_and_events_read_only():
    assert is_read_only(AuditEvent) and is_read_only(StandardLibrary)
    assert is_read_only(CatalogueVersion)
    # An event table (history per aggregate) carries the marker through its base.
    events = [m for m in HEXIE_MODELS if m.__name__.endswith("Event")]
    assert AuditEvent in events
    assert [m._meta.label for m in events if not is_read_only(m)] == []


def test_read_only_models_cannot_be_added_changed_or_deleted(operator):
    request = _request(operator)
    read_only = [m for m in HEXIE_MODELS
                 if is_read_only(m) or m._meta.label_lower in VIEW_ONLY_BY_ADMIN]
    assert Membership in read_only and AuditEvent in read_only
    for model in read_only:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ReadOnlyAdmin), model
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_mutable_models_are_editable_by_the_operator(operator):
    request = _request(operator)
    for model in HEXIE_MODELS:
        if is_read_only(model) or model._meta.label_lower in VIEW_ONLY_BY_ADMIN:
            continue
        model_admin = admin.site._registry[model]
        assert model_admin.has_change_permission(request), model


def test_only_active_superusers_get_in(operator):
    index = reverse("admin:index")
    assert Client().get(index).status_code == 302
    staff = User.objects.create_user("staff", password="Staff-pass-123", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(index).status_code == 302  # to the login page: staff is not enough
    office = make_user("county_office", region=XIHU)
    office.is_staff = True
    office.save()
    client.force_login(office)
    assert client.get(index).status_code == 302
    client.force_login(operator)
    assert client.get(index).status_code == 200


def test_every_list_and_search_renders(client_of, operator):
    office = make_user("county_office", region=XIHU)
    unit = unit_services.create_unit(office, {
        "kind": "enterprise", "name": "管理后台测试有限公司", "region_code": XIHU_TOWN,
        "credit_code": UnitFactory.build().credit_code, "industry": "C13",
        "industry_section": "C", "employees": 30, "revenue_yuan": 1_000_000,
        "assets_yuan": 1_000_000})
    make_user("unit_admin", unit=unit)
    for model in HEXIE_MODELS:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client_of.get(url).status_code == 200, url
        assert client_of.get(url, {"q": "测试"}).status_code == 200, url
        if admin.site._registry[model].has_add_permission(_request(operator)):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client_of.get(add).status_code == 200, add


def test_audit_event_and_membership_pages_are_view_only(client_of):
    unit = UnitFactory()
    member = make_user("unit_admin", unit=unit)
    membership = member.memberships.get()
    event = AuditEvent.objects.first() or AuditEvent.objects.create(
        action="x", object_type="x", prev_hash="0" * 64, hash="1" * 64)
    for obj in (membership, event):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = client_of.get(url)
        assert page.status_code == 200
        assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
        assert client_of.post(url, {}).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client_of.post(delete, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_operator_edit_is_audited(client_of):
    url = reverse("admin:accounts_assessororganisation_add")
    response = client_of.post(url, {"name": "后台新增评估机构", "credit_code": "",
                                    "region": XIHU})
    assert response.status_code == 302
    organisation = AssessorOrganisation.objects.get(name="后台新增评估机构")
    event = AuditEvent.objects.get(action="admin.create")
    assert event.actor_username == "operator"
    assert event.object_id == str(organisation.pk)
    assert event.after["name"] == "后台新增评估机构"
    change = reverse("admin:accounts_assessororganisation_change", args=[organisation.pk])
    client_of.post(change, {"name": "改名评估机构", "credit_code": "", "region": XIHU})
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.before["name"], event.after["name"]) == ("后台新增评估机构", "改名评估机构")


def test_a_user_edit_never_writes_the_password_hash_into_the_audit(client_of, operator):
    user = User.objects.create_user("clerk", password="Clerk-pass-123")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client_of.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({"username": "clerk", "display_name": "新姓名", "phone": "",
                 "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
                 "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
                 "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"})
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client_of.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="admin.change", object_id=str(user.pk))
    assert event.after["display_name"] == "新姓名"
    assert "password" not in event.after and "password" not in event.before
