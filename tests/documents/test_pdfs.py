"""The four documents: the Chinese text comes back out of the PDF (poppler's pdftotext), only
the vendored faces are used, embedded as subsets, and the list's table runs over pages with its
heading repeated."""

import re

import pytest

from hexie.documents import pdfs
from hexie.recognition.models import Recognition

from .conftest import LETTER_TITLE, LONG_NAME, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_size():
    return 45


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces the layout put in."""
    return re.sub(r"\s+", "", text)


def assert_vendored_subsets(data, tmp_path):
    fonts = pdf_fonts(data, tmp_path)
    assert fonts
    for row in fonts:
        name, emb, sub, uni = row[0], row[-5], row[-4], row[-3]
        assert re.fullmatch(r"[A-Z]{6}\+Noto(Serif|Sans)CJKSC(Bold)?", name), row
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def test_initiative_letter(world, tmp_path):
    data = pdfs.initiative_letter(world["letter"], world["delivery"])
    assert data.startswith(b"%PDF-")
    text = flat(pdf_text(data, tmp_path))
    assert "杭州市西湖区协调劳动关系三方会议办公室" in text
    assert LETTER_TITLE in text
    assert LONG_NAME + "：" in text and f"送达单位：{LONG_NAME}" in text
    assert "“和谐劳动、共建共享”" in text and "浙人社发〔2023〕17号" in text
    sent = world["letter"].sent_at.astimezone()
    assert f"{sent.year}年" in text and "—1—" in text
    assert_vendored_subsets(data, tmp_path)


def test_a_letter_with_its_own_salutation_and_signer_keeps_them_once(world, tmp_path):
    letter = world["letter"]
    letter.body = ("全区各企业、工地项目、工业园区、乡镇（街道）和行业协会：\n"
                   "请经职工大会或职工代表大会讨论确定后，提交创建承诺书。\n"
                   "西湖区协调劳动关系三方会议办公室")
    text = flat(pdf_text(pdfs.initiative_letter(letter, world["delivery"]), tmp_path))
    assert text.count("和行业协会：") == 1
    assert LONG_NAME + "：" not in text  # the letter's own 主送 line stands
    assert text.count("西湖区协调劳动关系三方会议办公室") == 2  # the masthead, the signer
    assert "西湖区协调劳动关系三方会议办公室" + f"{letter.sent_at.astimezone().year}年" in text
    assert f"送达单位：{LONG_NAME}" in text


def test_the_office_copy_has_no_addressee(world, tmp_path):
    text = flat(pdf_text(pdfs.initiative_letter(world["letter"]), tmp_path))
    assert LETTER_TITLE in text and LONG_NAME not in text


def test_pledge(world, tmp_path):
    data = pdfs.pledge(world["pledge"])
    text = flat(pdf_text(data, tmp_path))
    year = world["pledge"].year
    assert "和谐劳动关系创建承诺书" in text
    assert LONG_NAME in text and world["pledge"].unit.credit_code in text
    assert f"{year}年度和谐劳动关系创建活动" in text
    assert "会议形式：职工代表大会" in text and f"会议日期：{year}年3月1日" in text
    assert "出席人数：30人（应出席45人）" in text
    assert "大会讨论一致同意参加和谐劳动关系创建活动。" in text
    assert f"{year}年3月10日" in text
    assert pages(data) == 2 and "—2—" in text
    assert_vendored_subsets(data, tmp_path)


@pytest.mark.parametrize(("state", "sentence"), [
    (Recognition.State.PENDING, "“待公示”阶段"),
    (Recognition.State.ON_NOTICE, "“公示中”阶段"),
    (Recognition.State.CONFIRMED, "经公示无异议，将向社会公布名单。"),
    (Recognition.State.PUBLISHED, "经公示无异议，已向社会公布名单。"),
])
def test_recognition_notice_in_every_state_but_removed(world, tmp_path, state, sentence):
    recognition = world["recognition"]
    Recognition.objects.filter(pk=recognition.pk).update(state=state)
    recognition.refresh_from_db()
    data = pdfs.recognition_notice(recognition)
    text = flat(pdf_text(data, tmp_path))
    assert "和谐劳动关系单位认定通知书" in text
    assert LONG_NAME + "：" in text
    assert f"被认定为{recognition.year}年度和谐劳动关系单位" in text
    assert "杭州市西湖区协调劳动关系三方评审评估" in text
    assert sentence in text
    assert f"{recognition.year}年11月20日" in text
    assert_vendored_subsets(data, tmp_path)


def test_published_list_runs_over_pages_with_its_heading_repeated(world, tmp_path):
    plist = world["list"]
    data = pdfs.published_list(plist)
    text = flat(pdf_text(data, tmp_path))
    assert pages(data) >= 3
    assert plist.title in text and "（共45家）" in text
    for entry in plist.entries.all():
        assert entry.unit_name in text and entry.identifier in text
    assert f"{plist.year}年12月28日" in text
    assert_vendored_subsets(data, tmp_path)


def test_every_page_of_the_list_repeats_the_heading(world, tmp_path):
    data = pdfs.published_list(world["list"])
    page_texts = [flat(p) for p in pdf_text(data, tmp_path).split("\f") if p.strip()]
    with_rows = [p for p in page_texts if re.search(r"9133\d{4}T\d{7}", p)]
    assert len(with_rows) >= 2
    assert all("序号单位名称" in p for p in with_rows)
