"""Fixtures for the browser tests: Playwright driving Debian's system Chromium against
pytest-django's ``live_server``.

The browser is the distribution's ``/usr/bin/chromium`` (``apt-get install chromium``), never a
Playwright-downloaded one. Chinese text needs a CJK font (``apt-get install fonts-noto-cjk``).
"""

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from hexie.regions.loader import load_divisions

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (fixtures, assertions) would otherwise raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HEXIE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Counts htmx requests so a test can wait until every swap (including queued ones) is done.
HTMX_TRACKER = """
window.__hx = {pending: 0, done: 0};
document.addEventListener("htmx:beforeRequest", () => { window.__hx.pending += 1; });
for (const name of ["htmx:afterSettle", "htmx:responseError", "htmx:sendError",
                    "htmx:swapError"]) {
  document.addEventListener(name, () => {
    window.__hx.pending = Math.max(0, window.__hx.pending - 1);
    window.__hx.done += 1;
  });
}
"""


@pytest.fixture(scope="session")
def chromium():
    """One headless system Chromium for the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"System Chromium not found at {CHROMIUM}. The browser tests drive the "
            "distribution's Chromium: run `apt-get install chromium` (Debian/Ubuntu), or set "
            "HEXIE_CHROMIUM to its path. Do not use `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                               text=True, check=False).stdout
        if not fonts.strip():
            # Not fatal for the assertions, but every screenshot would show tofu boxes.
            warnings.warn("No Chinese font found: `apt-get install fonts-noto-cjk`, or the "
                          "screenshots will show boxes instead of characters.", stacklevel=1)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(chromium, live_server):
    """Factory for pages in fresh browser contexts (separate cookies, i.e. separate users)."""
    contexts = []

    def make(**context_options):
        options = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN",
                   "timezone_id": "Asia/Shanghai"}
        options.update(context_options)
        context = chromium.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        context.add_init_script(HTMX_TRACKER)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module", autouse=True)
def _restore_divisions(django_db_blocker):
    """``live_server`` tests are transactional: the database is flushed after each, divisions
    included. Put the divisions back so tests that run later in the session still find them."""
    yield
    with django_db_blocker.unblock():
        load_divisions()


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
