"""Unit admins' logins (issue 10 §2): invitations from a unit's page, in bulk with an import,
and the private list of links an import produces.

The invitation itself is accounts' (``accounts.invitations``: hashed single-use token, grant
rules); this module adds what the registry knows — the unit, the contact's phone, the import
job — and the list file. accounts sits below units, so only this side imports the other.
"""

import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.accounts import selectors as account_selectors
from hexie.accounts.invitations import invite, invite_unit_admins, revoke_invitation
from hexie.accounts.models import Invitation
from hexie.accounts.roles import ACCOUNTS_GRANT, Role
from hexie.accounts.services import check_may_grant
from hexie.core import audit
from hexie.core.errors import DomainError, OutOfScope
from hexie.core.scoping import scope_for

from .models import ImportJob, InvitationContact, Unit

logger = logging.getLogger(__name__)

# Mainland mobile numbers, or a landline with its area code (0571-87654321, extension -123).
_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
CONTACT_LABELS = {"contact_name": "联系人姓名", "phone": "联系电话", "email": "电子邮箱"}


def contact_errors(name: str, phone: str, email: str) -> list[tuple[str, str]]:
    """(field, Chinese message) for a contact: a name, and at least one of phone and e-mail,
    each well formed. Empty when the contact is usable."""
    problems = []
    if not name.strip():
        problems.append(("contact_name", _("请填写联系人姓名。")))
    elif len(name.strip()) > 64:
        problems.append(("contact_name", _("联系人姓名不能超过 64 个字。")))
    if not phone.strip() and not email.strip():
        problems.append(("phone", _("联系电话和电子邮箱至少填写一项。")))
    if phone.strip() and not _PHONE.match(phone.strip().replace(" ", "")):
        problems.append(("phone", _("联系电话格式不正确，应为 11 位手机号或带区号的固定电话。")))
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError:
            problems.append(("email", _("电子邮箱格式不正确。")))
    return problems


def may_invite(user, unit: Unit) -> bool:
    """Whether ``user`` may make unit_admin invitations for ``unit`` (the grant rules)."""
    try:
        check_may_grant(user, Role.UNIT_ADMIN, unit=unit)
    except (DomainError, OutOfScope):
        return False
    return True


def unit_admins(unit: Unit):
    return account_selectors.unit_admins_of([unit.pk]).order_by("username")


def pending_invitations(unit: Unit):
    return (Invitation.objects.filter(unit=unit, role=Role.UNIT_ADMIN, accepted_at__isnull=True,
                                      revoked_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("created_by", "contact").order_by("-id"))


def mail_link(email: str, unit_name: str, link: str, expires_at) -> None:
    """Send an invitation link once the transaction has committed (never for a rolled-back
    invitation); a mail failure is logged, the link was shown to the office anyway."""
    if not email:
        return
    when = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M")
    body = _("您好：\n\n%(unit)s 的和谐劳动关系创建平台经办人账号邀请如下，"
             "请在 %(when)s 前打开链接，设置用户名和密码：\n\n%(link)s\n\n"
             "该链接只能使用一次，请勿转发他人。") % {
        "unit": unit_name, "when": when, "link": link}

    def send():
        try:
            send_mail(_("和谐劳动关系创建平台：单位经办人账号邀请"), body,
                      settings.DEFAULT_FROM_EMAIL, [email])
        except Exception:  # the office has the link on screen; a mail outage must not fail it
            logger.exception("invitation mail to %s failed", email)

    transaction.on_commit(send)


def invite_for_unit(actor, unit: Unit, *, display_name: str, phone: str = "", email: str = "",
                    base_url: str | None = None, reason: str = ""):
    """One unit_admin invitation for ``unit`` from its page (or an approved access request):
    returns ``(invitation, link)``; the link is e-mailed when an e-mail is given."""
    problems = [("display_name" if f == "contact_name" else f, m)
                for f, m in contact_errors(display_name, phone, email)]
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field,
                          errors=[{"field": f, "message": m} for f, m in problems])
    with transaction.atomic():
        invitation, link = invite(actor, Role.UNIT_ADMIN, unit=unit, email=email.strip(),
                                  display_name=display_name.strip(), base_url=base_url,
                                  reason=reason)
        InvitationContact.objects.create(invitation=invitation, phone=phone.strip())
        mail_link(invitation.email, unit.name, link, invitation.expires_at)
    return invitation, link


def withdraw(actor, unit: Unit, invitation_id) -> Invitation:
    """Withdraw a pending invitation of ``unit``; one of another unit or outside the actor's
    scope is not found."""
    invitation = pending_invitations(unit).filter(pk=invitation_id).first()
    if invitation is None or not may_invite(actor, unit):
        raise OutOfScope()
    return revoke_invitation(actor, invitation)


# --- bulk, with an import --------------------------------------------------------------------

def private_root() -> Path:
    root = Path(settings.HEXIE_PRIVATE_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


LIST_HEADER = ("单位名称", "统一社会信用代码", "联系人", "联系电话", "电子邮箱", "邀请链接",
               "失效时间")


def write_invitation_list(path: Path, rows) -> None:
    """The XLSX "单位经办人邀请清单": every cell a string written as text (``data_type``
    forced to "s"), so a value starting with "=" stays a value and
    no formula ever runs in the office's spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("单位经办人邀请清单")
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["F"].width = 80
    sheet.column_dimensions["G"].width = 18

    def text_row(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
            cell.data_type = "s"  # the value setter would make "=…" a formula
            cells.append(cell)
        return cells

    sheet.append(text_row(LIST_HEADER))
    for row in rows:
        sheet.append(text_row(row))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    workbook.save(path)
    path.chmod(0o600)


def invite_imported(actor, job: ImportJob | None, units, contacts, *, scope_system=False,
                    base_url: str | None = None) -> tuple[int, Path, object]:
    """One unit_admin invitation per imported unit (``units`` and ``contacts`` in the same
    order, contacts as ``(name, phone, email)``), their contact rows, and the private list
    file. Runs inside the import's transaction; the caller deletes the file on rollback.
    Returns (count, path, expires_at)."""
    targets = [(unit, name, email) for unit, (name, _phone, email) in zip(units, contacts,
                                                                          strict=True)]
    reason = f"import job {job.pk}" if job is not None else "import"
    summary = {"job_id": job.pk if job is not None else None}
    made = invite_unit_admins(actor, targets, reason=reason, summary=summary, base_url=base_url)
    InvitationContact.objects.bulk_create(
        [InvitationContact(invitation_id=inv.pk, phone=phone, job=job)
         for (inv, _link), (_n, phone, _e) in zip(made, contacts, strict=True)],
        batch_size=2000)
    expires = made[0][0].expires_at if made else None
    when = timezone.localtime(expires).strftime("%Y-%m-%d %H:%M") if expires else ""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"invitations/job-{job.pk if job else 'cli'}-{stamp}.xlsx"
    path = private_root() / name
    write_invitation_list(path, (
        (unit.name, unit.credit_code or "", contact[0], contact[1], contact[2], link, when)
        for unit, contact, (_inv, link) in zip(units, contacts, made, strict=True)))
    return len(made), path, expires


def list_file_path(job: ImportJob) -> Path | None:
    if not job.invitation_file:
        return None
    return private_root() / job.invitation_file


def may_download(user, job: ImportJob) -> bool:
    """The job's creator, or an office whose grant scope covers every unit of the job."""
    if not user.is_authenticated or not user.is_active:
        return False
    if job.created_by_id == user.pk:
        return True
    return bool(job.region_code) and scope_for(user, ACCOUNTS_GRANT).covers_region(
        job.region_code)


def open_invitation_list(user, job_id):
    """``(job, open file)`` for a download, audited; deletes the file once its invitations have
    expired (the links in it are dead, and it should not outlive them)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not may_download(user, job) or not job.invitation_file:
        raise OutOfScope()
    path = list_file_path(job)
    if job.invitations_expire_at and timezone.now() >= job.invitations_expire_at:
        purge_list(job)
        raise DomainError(_("邀请已过期，邀请清单已删除。"), code="expired")
    if not path.exists():
        raise OutOfScope()
    with transaction.atomic():
        audit.record(user, "units.download_invitation_list", job,
                     after={"job_id": job.pk, "invitations": job.invitations},
                     region_code=job.region_code)
    return job, open(path, "rb")


def purge_list(job: ImportJob) -> None:
    path = list_file_path(job)
    if path is not None:
        path.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(invitation_file="")
    job.invitation_file = ""


def purge_expired_lists(now=None) -> int:
    """Delete every invitation list whose invitations have expired; returns how many."""
    now = now or timezone.now()
    jobs = ImportJob.objects.exclude(invitation_file="").filter(invitations_expire_at__lte=now)
    count = 0
    for job in jobs:
        purge_list(job)
        count += 1
    return count
