"""The world of the self-assessment tests: 西湖区's campaign of last year, a medium enterprise
(EL set) in 北山街道 that pledged for it, its admin, 西湖区's office; 南湖区 with its office and
a unit. The standard libraries are loaded as `hexie standards load` does."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from hexie.assessments import services
from hexie.assessments.demo import compliant_facts, tiny_pdf
from hexie.campaigns import services as campaign_services
from hexie.standards import services as standards
from tests.campaigns.conftest import (  # noqa: F401 (the campaign tests' world, reused)
    campaign,
    congress,
    day,
    media_root,
    office,
    other_office,
    other_unit,
    unit,
    unit_admin,
    year,
)

PDF = tiny_pdf("evidence")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32


def ooxml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return buffer.getvalue()


DOCX = ooxml("word/")
XLSX = ooxml("xl/")


def upload(name="evidence.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def load_baseline_version(tmp_path, version, mutate):
    """Load a new version of the shipped baseline, changed by ``mutate(item, set_id)``, in
    force since yesterday (so it becomes the default)."""
    import datetime

    import yaml

    from hexie.standards.library import LIBRARY_DIR

    data = yaml.safe_load((LIBRARY_DIR / "zj-baseline-v1.yaml").read_text(encoding="utf-8"))
    data["version"] = version
    data["effective"] = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    for s in data["sets"]:
        for c in s["criteria"]:
            for item in c["items"]:
                mutate(item, s["id"])
    path = tmp_path / f"zj-baseline-v{version}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    standards.load_path(None, path)
    return standards.resolve()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made in every test; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def libraries(db):
    standards._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    yield
    standards._compiled.cache_clear()


@pytest.fixture
def pledge(campaign, unit, unit_admin, year):  # noqa: F811 (fixtures above)
    return campaign_services.pledge(unit_admin, unit, year=year, pledged_on=day(year, 3, 10),
                                    congress=congress(day(year, 3, 1)))


@pytest.fixture
def draft(pledge, unit, unit_admin, year):  # noqa: F811
    return services.start_draft(unit_admin, unit, year)


@pytest.fixture
def baseline():
    return standards.compiled(standards.resolve("zj-baseline@1").pk)


@pytest.fixture
def good_facts(baseline, draft):
    return compliant_facts(baseline, draft.profile, 400)
