"""Browser tests: Playwright's sync API driving the system Chromium (headless).

The browser is Debian's /usr/bin/chromium (or $GONGZHI_CHROMIUM); Playwright's
own browser download (`playwright install`) is never used.  Tests combine these
fixtures with pytest-django's ``live_server``::

    def test_home(page, live_server):
        page.goto(live_server.url + "/")

Every test under tests/e2e is marked ``e2e`` (deselect with ``-m "not e2e"``).
"""
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD, World

# Playwright's sync API runs an asyncio loop in the test thread, which makes
# Django refuse synchronous ORM calls from the test body without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; run `bash scripts/test.sh` "
            "(installs Debian's chromium) or set GONGZHI_CHROMIUM",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _new_page(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh page in its own context, sized like a phone (390x844)."""
    context, page = _new_page(browser, PHONE_VIEWPORT)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    """A fresh page in its own context with a desktop viewport (1280x800)."""
    context, page = _new_page(browser, DESKTOP_VIEWPORT)
    yield page
    context.close()


# -- the shared world for browser tests ---------------------------------------
def _square(lon, lat, d=0.01):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


@pytest.fixture
def live_world(transactional_db):
    w = World()
    for i, g in enumerate((w.grid_a1, w.grid_a2, w.grid_b1)):
        g.boundary = _square(119.80 + i * 0.01, 31.36)
        g.save()
    return w


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits_phone(page):
    """The page is no wider than the phone. Waits out a navigation a click may have started: the
    width read from a page being torn down throws "Execution context was destroyed"."""
    from playwright.sync_api import Error
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
            break
        except Error as e:
            if "context was destroyed" not in str(e) or attempt == 2:
                raise
    assert width <= PHONE_VIEWPORT["width"] + 1, f"{page.url} is {width} px wide on a {PHONE_VIEWPORT['width']} px phone"


def nav_to(page, label):
    """Follow a main-navigation link as a user would: on a phone, open the 菜单 first."""
    menu = page.locator("button.menu-toggle")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.locator("nav.main").get_by_role("link", name=label, exact=True).click()
