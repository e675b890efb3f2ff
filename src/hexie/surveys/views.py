"""Survey pages. Signed-in pages (unit admin, offices) go through the selectors' scope filter
(outside it: 404). The worker's pages are anonymous: a link token or a unit's concern key, and
nothing about the worker is written anywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexie.accounts.roles import MONITORING_VIEW, SURVEYS_MANAGE, SURVEYS_VIEW
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.middleware import client_ip
from hexie.core.refusal import forbid
from hexie.core.scoping import scope_for
from hexie.units.models import Unit

from . import policy, selectors, services, sheet
from .forms import ConcernForm, OpenRoundForm


def _managed_units(user) -> list[Unit]:
    ids = sorted(scope_for(user, SURVEYS_MANAGE).unit_ids)
    return list(Unit.objects.filter(pk__in=ids).order_by("name")) if ids else []


def voice_url(request, unit_id: int) -> str:
    return request.build_absolute_uri(
        reverse("survey_public:voice", args=[unit_id, services.voice_key(unit_id)]))


def links_pdf_response(request, opened: services.OpenedRound) -> HttpResponse:
    """The QR sheet of freshly issued tokens, as a download (the only time they are shown)."""
    rnd = opened.round
    urls = [request.build_absolute_uri(reverse("survey_public:answer", args=[t]))
            for t in opened.tokens]
    data = sheet.links_pdf(
        unit_name=rnd.unit.name,
        title=_("%(year)s 年度职工满意度调查第 %(n)s 轮") % {"year": rnd.year, "n": rnd.number},
        valid_until=timezone.localtime(rnd.valid_until).strftime("%Y-%m-%d %H:%M"),
        urls=urls, voice_url=voice_url(request, rnd.unit_id))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{rnd.unit_id}-round-{rnd.number}-links.pdf"')
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def round_list(request):
    if scope_for(request.user, SURVEYS_VIEW).is_empty:
        raise Http404(_("页面不存在"))
    units = _managed_units(request.user)
    form = OpenRoundForm(request.POST or None, units=units) if units else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("满意度调查只能由本单位经办人发起。"))
        if form.is_valid():
            data = form.cleaned_data
            unit = next(u for u in units if u.pk == data["unit"])
            try:
                opened = services.open_round(request.user, unit, links=data["links"],
                                             valid_days=data["valid_days"], year=data["year"])
            except NotPermitted as exc:
                forbid(exc)
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                return links_pdf_response(request, opened)
    rounds = selectors.rounds_for(request.user)
    page = Paginator(rounds, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/list.html", {
        "page": page, "form": form, "rules": policy.current(),
        "voice_links": [(u, voice_url(request, u.pk)) for u in units],
        "is_unit_admin": bool(units),
    })


@login_required
def round_detail(request, pk):
    rnd = selectors.get_round(request.user, pk)
    can_manage = rnd.unit_id in scope_for(request.user, SURVEYS_MANAGE).unit_ids
    return render(request, "surveys/detail.html", {
        "round": rnd, "result": selectors.result_of(rnd),
        "answers": selectors.answer_count(rnd), "can_manage": can_manage,
        "comments": selectors.shuffled_comments(rnd),
        "applications": selectors.applications_of(rnd),
    })


def _manage_action(request, pk, action):
    rnd = selectors.get_round(request.user, pk)
    try:
        return rnd, action(request.user, rnd)
    except NotPermitted as exc:
        forbid(exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return rnd, None


@login_required
@require_POST
def round_close(request, pk):
    rnd, done = _manage_action(request, pk, services.close_round)
    if done is not None:
        messages.success(request, _("调查已结束，结果已固定。"))
    return redirect("surveys:detail", pk=rnd.pk)


@login_required
@require_POST
def round_apply(request, pk):
    rnd, done = _manage_action(request, pk, services.apply_to_self_assessment)
    if done is not None:
        messages.success(request, _("已将综合满意度 %(p)s%% 写入 %(y)s 年度单位自评草稿。")
                         % {"p": done.percent, "y": done.year})
    return redirect("surveys:detail", pk=rnd.pk)


@login_required
@require_POST
def round_reissue(request, pk):
    rnd, opened = _manage_action(request, pk, services.reissue_links)
    if opened is None:
        return redirect("surveys:detail", pk=rnd.pk)
    return links_pdf_response(request, opened)


@login_required
def concern_list(request):
    """Worker-voice risk signals for the offices (monitoring.view); 404 for everyone else."""
    if scope_for(request.user, MONITORING_VIEW).is_empty:
        raise Http404(_("页面不存在"))
    page = Paginator(selectors.concerns_for(request.user).order_by("-detected_on", "-id"),
                     50).get_page(request.GET.get("page"))
    return render(request, "surveys/concerns.html", {"page": page})


# --- the worker's pages (anonymous) -------------------------------------------------------

def _refused(request, exc: DomainError, status: int):
    context = {"message": str(exc.message), "code": exc.code}
    return render(request, "surveys/public_refused.html", context, status=status)


REFUSED_STATUS = {"invalid": 404, "used": 409, "expired": 410, "closed": 410,
                  "rate_limited": 429}


def answer_form(request, token):
    """The mobile-first form of one link. GET shows it; POST counts the answer once."""
    try:
        link = services.find_link(token)
    except services.LinkRefused as exc:
        return _refused(request, exc, REFUSED_STATUS.get(exc.code, 400))
    rnd = link.round
    rules = policy.for_round(rnd)
    errors, chosen, comment = {}, {}, ""
    if request.method == "POST":
        if services.body_too_big(request):
            return _refused(request, services.too_big_error(), 413)
        chosen = {code: request.POST.get(code, "") for code, _label in rnd.dimensions}
        comment = request.POST.get("comment", "")
        try:
            services.check_rate("answers", client_ip(request))
            services.submit_answer(token, chosen, comment)
        except services.LinkRefused as exc:
            return _refused(request, exc, REFUSED_STATUS.get(exc.code, 400))
        except DomainError as exc:
            if exc.code == "rate_limited":
                return _refused(request, exc, 429)
            errors[exc.field or "comment"] = str(exc.message)
        else:
            return redirect("survey_public:thanks", unit_id=rnd.unit_id,
                            key=services.voice_key(rnd.unit_id))
    return render(request, "surveys/public_form.html", {
        "round": rnd, "unit": rnd.unit, "levels": rules.levels, "errors": errors,
        "questions": [{"code": code, "label": label, "chosen": chosen.get(code, ""),
                       "error": errors.get(code, "")} for code, label in rnd.dimensions],
        "comment": comment, "max_chars": rules.comment_max_chars,
        "voice_url": reverse("survey_public:voice",
                             args=[rnd.unit_id, services.voice_key(rnd.unit_id)]),
    }, status=400 if errors else 200)


def thanks(request, unit_id, key):
    unit = services.voice_unit(unit_id, key)
    return render(request, "surveys/public_thanks.html", {
        "unit": unit, "voice_url": reverse("survey_public:voice", args=[unit.pk, key])})


def concern_form(request, unit_id, key):
    """The unit's anonymous concern channel: no name, no account; reaches the county office."""
    unit = services.voice_unit(unit_id, key)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_rate("concerns", client_ip(request))
            services.submit_concern(unit, form.cleaned_data["category"],
                                    form.cleaned_data["text"])
        except DomainError as exc:
            if exc.code == "rate_limited":
                return _refused(request, exc, 429)
            form.add_service_error(exc)
        else:
            return render(request, "surveys/public_concern_done.html", {"unit": unit})
    return render(request, "surveys/public_concern.html", {
        "unit": unit, "form": form, "max_chars": policy.current().concern_max_chars,
    }, status=400 if form.errors else 200)
