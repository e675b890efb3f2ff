"""PDF downloads. Each looks its object up through the same scoped selector as the object's own
page (outside the scope: 404) and serves the PDF inline with its Chinese file name."""

import logging
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from hexie.printing.layout import MissingGlyph

from . import pdfs, selectors

log = logging.getLogger(__name__)


def _pdf(data: bytes, filename: str, *, public: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def refuses_missing_glyphs(view):
    """A character the fonts lack stops the download with a page that names it (and the log
    says so), instead of a PDF with empty boxes."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except MissingGlyph as exc:
            log.error("document not rendered: %s", exc)
            return render(request, "documents/missing_glyph.html", {"error": exc}, status=500)
    return wrapper


@login_required
@refuses_missing_glyphs
def letter_pdf(request, pk):
    letter = selectors.get_letter(request.user, pk)
    return _pdf(pdfs.initiative_letter(letter), f"{letter.title}.pdf")


@login_required
@refuses_missing_glyphs
def delivery_pdf(request, pk):
    delivery = selectors.get_delivery(request.user, pk)
    return _pdf(pdfs.initiative_letter(delivery.letter, delivery),
                f"{delivery.letter.title}（{delivery.unit.name}）.pdf")


@login_required
@refuses_missing_glyphs
def pledge_pdf(request, pk):
    pledge = selectors.get_pledge(request.user, pk)
    return _pdf(pdfs.pledge(pledge), f"{pledge.year}年度创建承诺书（{pledge.unit.name}）.pdf")


@login_required
@refuses_missing_glyphs
def recognition_pdf(request, pk):
    recognition = selectors.get_recognition(request.user, pk)
    return _pdf(pdfs.recognition_notice(recognition),
                f"{recognition.year}年度认定通知书（{recognition.unit.name}）.pdf")


@refuses_missing_glyphs
def published_list_pdf(request, pk):
    plist = selectors.get_published_list(pk)
    return _pdf(pdfs.published_list(plist), f"{plist.title}.pdf", public=True)
