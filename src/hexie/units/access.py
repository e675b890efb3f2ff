"""A unit asks for its login itself (单位申请开通账号, issue 10 §2b).

Anyone may submit (no login): the credit code must be a registered unit's, the legal
representative's name is recorded for the county to check by hand (the registry holds no such
field), and a contact with a phone or an e-mail. The form is throttled per IP address. An
office that may grant unit_admin over the unit's region approves — which makes a unit_admin
invitation for the contact, the link shown once to the office and e-mailed when there is an
address — or refuses with a reason. Every step audited, one transaction each.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.accounts.roles import ACCOUNTS_GRANT
from hexie.core import audit
from hexie.core.errors import DomainError, OutOfScope

from . import credit_code as cc
from .invitations import contact_errors, invite_for_unit
from .models import AccessRequest, Unit

logger = logging.getLogger(__name__)

State = AccessRequest.State
FIELDS = ("credit_code", "unit_name", "legal_representative", "contact_name", "phone", "email")


class Throttled(DomainError):
    """Too many submissions from one address within the hour."""


def check_throttle(ip: str | None) -> None:
    """Count one submission from ``ip``; refuse beyond ``HEXIE_ACCESS_REQUESTS_PER_HOUR`` in
    the current hour. Every POST counts, valid or not: the refusal for an unknown credit code
    tells whether a code is registered, and this keeps that from being probed in bulk."""
    limit = settings.HEXIE_ACCESS_REQUESTS_PER_HOUR
    key = f"hexie:access-request:{ip or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise Throttled(_("提交过于频繁，请一小时后再试。"), code="throttled")


def _clean(data: dict) -> tuple[dict, list[dict]]:
    values = {k: str(data.get(k) or "").strip() for k in FIELDS}
    values["credit_code"] = cc.normalise(values["credit_code"])
    errors = []

    def error(field, message):
        errors.append({"field": field, "message": message})

    if not values["credit_code"]:
        error("credit_code", _("请填写统一社会信用代码。"))
    elif (problem := cc.problem(values["credit_code"])) is not None:
        error("credit_code", _("统一社会信用代码有误：%(problem)s") % {"problem": problem})
    for field, label, size in (("unit_name", _("单位名称"), 200),
                               ("legal_representative", _("法定代表人姓名"), 64)):
        if not values[field]:
            error(field, _("请填写%(label)s。") % {"label": label})
        elif len(values[field]) > size:
            error(field, _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": size})
    for field, message in contact_errors(values["contact_name"], values["phone"],
                                         values["email"]):
        error(field, message)
    return values, errors


def submit(data: dict, *, ip: str | None = None) -> AccessRequest:
    """A public submission (the actor is the system; the audit keeps the IP). Raises
    ``DomainError`` naming the fields, nothing written."""
    ip = audit.canonical_ip(ip)
    check_throttle(ip)
    values, errors = _clean(data)
    if errors:
        raise DomainError(errors[0]["message"], field=errors[0]["field"], errors=errors)
    unit = Unit.objects.filter(credit_code=values["credit_code"]).first()
    if unit is None:
        raise DomainError(
            _("平台登记的创建单位中没有该统一社会信用代码。请先联系所在县（市、区）"
              "三方办公室登记单位信息，再申请开通账号。"),
            field="credit_code", code="not_registered")
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one request at a time
        duplicate = AccessRequest.objects.filter(unit=unit, state=State.PENDING)
        same_contact = (
            (values["phone"] and duplicate.filter(phone=values["phone"]).exists())
            or (values["email"] and duplicate.filter(email__iexact=values["email"]).exists()))
        if same_contact:
            raise DomainError(_("该联系人已为本单位提交过申请，正在等待县（市、区）三方办公室审核，"
                                "请勿重复提交。"), field="contact_name", code="duplicate")
        request = AccessRequest.objects.create(unit=unit, region_code=unit.region_id, ip=ip,
                                               **values)
        audit.record(None, "units.access_request", request,
                     after=audit.snapshot(request) | {"ip": ip}, region_code=unit.region_id)
    return request


def pending_for(user):
    """The pending requests ``user`` may decide (offices granting inside their region)."""
    return (AccessRequest.objects.visible_to(user, ACCOUNTS_GRANT)
            .filter(state=State.PENDING).select_related("unit").order_by("created_at", "id"))


def _locked(actor, request_id) -> AccessRequest:
    """The request under lock, if ``actor`` may decide it; 404 otherwise."""
    visible = AccessRequest.objects.visible_to(actor, ACCOUNTS_GRANT)
    try:
        return visible.select_for_update().select_related("unit").get(pk=request_id)
    except (AccessRequest.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


def _require_pending(request: AccessRequest) -> None:
    if request.state != State.PENDING:
        raise DomainError(_("该申请已%(state)s，不能再次审核。") % {
            "state": request.get_state_display()}, code="decided")


def approve(actor, request_id, *, base_url: str | None = None):
    """Approve: a unit_admin invitation for the contact. Returns ``(request, link)``; the link
    is shown once to the office and e-mailed to the contact when an e-mail was given."""
    with transaction.atomic():
        request = _locked(actor, request_id)
        _require_pending(request)
        invitation, link = invite_for_unit(
            actor, request.unit, display_name=request.contact_name, phone=request.phone,
            email=request.email, base_url=base_url, reason=f"access request {request.pk}")
        before = {"state": request.state}
        request.state = State.APPROVED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.invitation = invitation
        request.save(update_fields=["state", "decided_by", "decided_at", "invitation"])
        audit.record(actor, "units.approve_access_request", request, before=before,
                     after={"state": request.state, "invitation_id": invitation.pk},
                     region_code=request.region_code)
    return request, link


def refuse(actor, request_id, reason: str) -> AccessRequest:
    """Refuse with a reason (required), e-mailed to the contact when an e-mail was given."""
    reason = (reason or "").strip()
    with transaction.atomic():
        request = _locked(actor, request_id)
        _require_pending(request)
        if not reason:
            raise DomainError(_("拒绝时必须填写理由。"), field="reason", code="required")
        before = {"state": request.state}
        request.state, request.reason = State.REFUSED, reason[:2000]
        request.decided_by, request.decided_at = actor, timezone.now()
        request.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        audit.record(actor, "units.refuse_access_request", request, before=before,
                     after={"state": request.state, "reason": request.reason},
                     region_code=request.region_code)
        if request.email:
            _mail_refusal(request)
    return request


def _mail_refusal(request: AccessRequest) -> None:
    body = _("您好：\n\n%(unit)s 申请开通和谐劳动关系创建平台账号，经县（市、区）三方办公室审核，"
             "未予同意。理由：\n\n%(reason)s\n\n如有疑问，请联系所在县（市、区）三方办公室。") % {
        "unit": request.unit.name, "reason": request.reason}
    email = request.email

    def send():
        try:
            send_mail(_("和谐劳动关系创建平台：账号申请未通过"), body,
                      settings.DEFAULT_FROM_EMAIL, [email])
        except Exception:
            logger.exception("refusal mail to %s failed", email)

    transaction.on_commit(send)
