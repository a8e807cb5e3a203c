"""The dashboard (``/_mock/ui``) in a real browser: Debian's chromium driven by Playwright,
against the emulator under uvicorn on 127.0.0.1 (port 0, manual clock: time moves only through
the page's own controls). Every test also checks that the page loaded nothing from outside the
emulator and logged no console error. Screenshots go to ``$UI_SCREENSHOTS`` (``make
screenshots``: ``docs/screenshots/``), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from mockserver.http.middleware import INTERNAL
from mockserver.journal import fingerprint
from mockserver.plugin import MockHandle
from tests.helpers import captured_log

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
KEY_A = "sk-ui-tenant-a-5f31"
KEY_B = "sk-ui-tenant-b-90c2"
PIN = "864209"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: chromium's own console line for a response >= 400 (a refusal the test asked for on purpose)
REFUSED = re.compile(
    r"console: Failed to load resource: the server responded with a status of (\d+) .*"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    expect.set_options(timeout=10_000)  # a loaded 2-core CI machine; a passing run never waits it
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Tab:
    """One browser context (its own storage: a person at their own browser) and its page, with
    every request the page makes and every console error it logs."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.context = context
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        self.page: Page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def assert_clean(self, *refused: int) -> None:
        """Nothing loaded from outside the emulator; no console error. ``refused``: the statuses
        of the requests the test made the page send and the API refuse on purpose, for each of
        which chromium logs its own network line ("Failed to load resource: ...")."""
        outside = [u for u in self.requests if _origin(u) != self.origin]
        assert self.requests, "the page made no request at all"
        assert not outside, f"requests outside the emulator: {outside}"
        network = [int(m.group(1)) for e in self.errors if (m := REFUSED.fullmatch(e))]
        others = [e for e in self.errors if not REFUSED.fullmatch(e)]
        assert not others, "\n".join(others)
        assert sorted(network) == sorted(refused), self.errors


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Dashboard:
    def __init__(self, browser: Browser, server: MockHandle, shots: Path) -> None:
        self.browser = browser
        self.server = server
        self.origin = server.origin
        self.shots = shots
        self.tabs: list[Tab] = []

    def tab(self, viewport: dict[str, int] = WIDE) -> Tab:
        context = self.browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        tab = Tab(context, self.origin)
        self.tabs.append(tab)
        return tab

    def open(self, key: str, *, view: str = "jobs", viewport: dict[str, int] = WIDE) -> Tab:
        """A new tab opened by a link that carries the key in its fragment."""
        tab = self.tab(viewport)
        tab.page.goto(f"{self.origin}/_mock/ui#key={key}")
        expect(tab.page.locator("#tenant-status code")).to_have_text(str(fingerprint(key)))
        if view != "jobs":
            tab.page.get_by_role("link", name=view.capitalize(), exact=True).click()
        return tab

    def api(self, key: str) -> httpx.Client:
        """A client of the API under test (not marked internal: journaled and faulted)."""
        return httpx.Client(
            base_url=f"{self.origin}/v2", headers={"Authorization": f"Bearer {key}"}
        )

    def close(self) -> None:
        for tab in self.tabs:
            tab.context.close()


@pytest.fixture
def dashboard(
    browser: Browser, telnyx_mock_server: MockHandle, tmp_path: Path
) -> Iterator[Dashboard]:
    shots = Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path
    board = Dashboard(browser, telnyx_mock_server, shots)
    yield board
    board.close()


def _active_ids(api: httpx.Client, count: int) -> list[str]:
    r = api.get("/phone_numbers", params={"filter[status]": "active", "page[size]": count})
    assert r.status_code == 200, r.text
    return [n["id"] for n in r.json()["data"]]


def _create_job(api: httpx.Client, ids: list[str], **fields: Any) -> dict[str, Any]:
    r = api.post("/phone_numbers/jobs/update_phone_numbers", json={"phone_numbers": ids, **fields})
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()["data"]
    return job


def _peek(dashboard: Dashboard, key: str, path: str) -> Any:
    """The emulator's own view, marked internal (never journaled or faulted)."""
    headers = {"Authorization": f"Bearer {key}", INTERNAL: "1"}
    r = httpx.get(f"{dashboard.origin}{path}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _advance(page: Page, seconds: str) -> None:
    """Move the tenant's clock through the page's own form."""
    field = page.get_by_label("Advance clock by (seconds)")
    field.fill(seconds)
    field.press("Enter")
    expect(page.locator("form[id$=-advance] .result")).to_contain_text("Clock now")


def _bar(row: Any) -> Any:
    return row.locator(".progress")


def test_a_job_appears_and_moves_as_the_page_advances_the_clock(dashboard: Dashboard) -> None:
    tab = dashboard.open(KEY_A)
    page = tab.page
    assert KEY_A not in page.url  # the fragment left the address at once
    expect(page.locator(".empty")).to_have_text(re.compile("No jobs yet"))
    with dashboard.api(KEY_A) as api:
        ids = _active_ids(api, 62)
        assert api.post(f"{dashboard.origin}/_mock/faults", json={"kind": "fail_jobs"}).is_success
        failing = _create_job(api, ids[60:61], tags=["ui-fails"])
        quick = _create_job(api, ids[61:62], tags=["ui-quick"])
        job = _create_job(api, ids[:60], tags=["ui-demo"], customer_reference="dashboard")
    row = page.locator(f'tr[data-job="{job["id"]}"]')
    expect(row.locator(".badge")).to_have_text("pending")  # polled in: no reload
    expect(_bar(row)).to_have_attribute("data-pending", "60")
    expect(_bar(row)).to_have_attribute("data-successful", "0")
    expect(page.locator("tbody tr")).to_have_count(3)

    _advance(page, "2")
    expect(row.locator(".badge")).to_have_text("in_progress")
    now = _peek(dashboard, KEY_A, f"/v2/phone_numbers/jobs/{job['id']}")
    done = len(now["successful_operations"])
    assert 0 < done < 60
    expect(_bar(row)).to_have_attribute("data-successful", str(done))
    expect(_bar(row)).to_have_attribute("data-pending", str(60 - done))
    expect(row.locator(".progress-text")).to_have_text(
        f"{done} successful, {60 - done} pending, 0 failed of 60"
    )
    failed_row = page.locator(f'tr[data-job="{failing["id"]}"]')
    expect(failed_row.locator(".badge")).to_have_text("failed")
    expect(_bar(failed_row)).to_have_attribute("data-failed", "1")
    expect(page.locator(f'tr[data-job="{quick["id"]}"] .badge')).to_have_text("completed")
    page.evaluate("document.activeElement.blur()")  # no focus ring in the picture
    page.screenshot(path=dashboard.shots / "jobs.png")

    _advance(page, "60")
    expect(row.locator(".badge")).to_have_text("completed")
    expect(_bar(row)).to_have_attribute("data-successful", "60")
    expect(_bar(row)).to_have_attribute("data-pending", "0")

    # the job's page: operations, errors, and the request that created it (from the journal)
    page.get_by_role("link", name=failing["id"]).click()
    expect(page.get_by_role("heading", name="Failed operations (1)")).to_be_visible()
    expect(page.locator(".errors li").first).to_contain_text("10007")
    page.get_by_role("link", name="← All jobs").click()
    page.get_by_role("link", name=job["id"]).click()
    expect(page.get_by_role("heading", name="Successful operations (60)")).to_be_visible()
    origin = page.get_by_role("region", name="Request that created it")
    expect(origin).to_contain_text("POST /v2/phone_numbers/jobs/update_phone_numbers → 202")
    expect(origin.locator("pre")).to_contain_text('"customer_reference": "dashboard"')
    tab.assert_clean()


def test_a_key_in_the_query_opens_the_tenant_and_stays_out_of_address_and_log(
    dashboard: Dashboard,
) -> None:
    with captured_log("mockserver.access") as records:
        tab = dashboard.tab()
        tab.page.goto(f"{dashboard.origin}/_mock/ui?key={KEY_B}")
        expect(tab.page.locator("#tenant-status code")).to_have_text(str(fingerprint(KEY_B)))
        expect(tab.page.locator("#tenant-status")).to_contain_text("clock")
    assert urlsplit(tab.page.url).query == ""
    assert tab.page.url.endswith("/_mock/ui#/jobs")
    # about:blank, then the page: the keyed address was replaced, not pushed
    assert tab.page.evaluate("history.length") == 2
    lines = [r.getMessage() for r in records]
    assert any(line.startswith("GET /_mock/ui?key=[redacted] 200") for line in lines), lines
    assert not [line for line in lines if KEY_B in line]
    assert KEY_B not in tab.page.content()
    tab.assert_clean()


def test_the_numbers_filter_agrees_with_the_api(dashboard: Dashboard) -> None:
    tab = dashboard.open(KEY_A, view="numbers")
    page = tab.page
    form = page.locator("#numbers-filter")
    form.get_by_label("Tag", exact=True).fill("vip")
    form.get_by_label("Status").select_option("active")
    form.get_by_label("Sort").select_option("-phone_number")
    form.get_by_label("Per page").select_option("50")
    form.get_by_role("button", name="Apply filters").click()
    query = {
        "filter[tag]": "vip", "filter[status]": "active", "sort": "-phone_number",
        "page[size]": "50",
    }  # fmt: skip
    with dashboard.api(KEY_A) as api:
        first = api.get("/phone_numbers", params=query).json()
        second = api.get("/phone_numbers", params={**query, "page[number]": "2"}).json()
    total = first["meta"]["total_results"]
    assert total > 50  # two pages at least, so the pager is exercised
    summary = page.locator(".summary")
    expect(summary).to_have_attribute("data-total", str(total))
    expect(summary).to_have_text(f"{total} numbers · page 1 of {first['meta']['total_pages']}")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(50)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.number)") == [
        n["id"] for n in first["data"]
    ]
    page.get_by_role("button", name="Next page").click()
    expect(summary).to_contain_text("page 2 of")
    expect(rows.first).to_have_attribute("data-number", second["data"][0]["id"])
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.number)") == [
        n["id"] for n in second["data"]
    ]

    # a filter the API refuses: its error beside the field it names
    form.get_by_label("Phone number contains").fill("1")
    form.get_by_role("button", name="Apply filters").click()
    with dashboard.api(KEY_A) as api:
        refused = api.get("/phone_numbers", params={"filter[phone_number]": "1"})
    assert refused.status_code == 422
    error = form.locator("#numbers-filter-phone-number-error")
    expect(error).to_have_text(refused.json()["errors"][0]["detail"])
    expect(form.get_by_label("Phone number contains")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Phone number contains")).to_be_focused()

    # one number: detail, voice settings, and the jobs that touched it
    target = first["data"][0]
    with dashboard.api(KEY_A) as api:
        job = _create_job(api, [target["id"]], tags=["vip", "touched"])
    page.goto(f"{dashboard.origin}/_mock/ui#/numbers/{target['id']}")
    detail = page.get_by_role("region", name="Detail")
    expect(detail).to_contain_text(target["phone_number"])
    expect(page.get_by_role("region", name="Voice settings").locator("pre")).to_contain_text(
        '"record_type": "voice_settings"'
    )
    touched = page.get_by_role("region", name="Jobs that touched it")
    expect(touched.get_by_role("link", name=job["id"])).to_be_visible()
    tab.assert_clean(422)


def test_the_journal_shows_a_request_just_made_with_its_secrets_redacted(
    dashboard: Dashboard,
) -> None:
    tab = dashboard.open(KEY_A, view="journal")
    page = tab.page
    expect(page.locator(".entries .empty")).to_have_text("No requests yet.")
    with dashboard.api(KEY_A) as api:
        ids = _active_ids(api, 2)
        job = _create_job(api, ids, external_pin=PIN, tags=["journal"])
        refused = api.post("/phone_numbers/jobs/update_phone_numbers", json={"phone_numbers": []})
        assert refused.status_code == 422
        assert api.get(f"/phone_numbers/jobs/{job['id']}").status_code == 200
    entries = page.locator(".entry")
    expect(entries).to_have_count(4)  # the page's own reads are not journaled
    newest = entries.first
    expect(newest.locator("summary")).to_contain_text(f"GET /v2/phone_numbers/jobs/{job['id']}")
    created = entries.nth(2)
    expect(created.locator("summary")).to_contain_text(
        "POST /v2/phone_numbers/jobs/update_phone_numbers → 202"
    )
    created.locator("summary").click()
    body = created.get_by_label("Request body")
    expect(body).to_contain_text('"external_pin": "[redacted]"')
    expect(body).to_contain_text('"journal"')
    expect(created.get_by_label("Response body")).to_contain_text('"external_pin": "[redacted]"')
    expect(created.get_by_label("Request headers")).to_contain_text('"content-type"')
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=dashboard.shots / "journal.png")
    html = page.content()
    assert PIN not in html
    assert KEY_A not in html
    assert PIN not in page.locator("body").inner_text()

    # filters: method and path by the server, status here
    form = page.locator("#journal-filter")
    form.get_by_label("Status").fill("4xx")
    form.get_by_role("button", name="Apply filters").click()
    expect(entries).to_have_count(1)
    expect(entries.first.locator("summary")).to_contain_text("→ 422")
    form.get_by_label("Status").fill("")
    form.get_by_label("Method").select_option("GET")
    form.get_by_label("Path").fill("/phone_numbers/jobs/{id}")
    form.get_by_role("button", name="Apply filters").click()
    expect(entries).to_have_count(1)
    expect(entries.first.locator("summary")).to_contain_text(f"/phone_numbers/jobs/{job['id']}")
    form.get_by_label("Status").fill("abc")
    form.get_by_role("button", name="Apply filters").click()
    expect(form.locator("#journal-status-error")).to_contain_text("must be a status")
    assert PIN not in page.content()
    tab.assert_clean()


def test_a_fault_added_through_the_page_fails_the_next_api_call(dashboard: Dashboard) -> None:
    tab = dashboard.open(KEY_A, view="controls")
    page = tab.page
    form = page.locator("form#fault")
    # a refused fault: the server's error beside the field it names
    form.get_by_label("Kind").select_option("latency")
    form.get_by_role("button", name="Add fault").click()
    expect(form.locator("#fault-ms-error")).to_have_text("must be an integer from 0 to 60000")
    expect(form.get_by_label("Latency (ms)")).to_be_focused()
    form.get_by_label("Kind").select_option("status")
    form.get_by_label("Status", exact=True).select_option("503")
    form.get_by_label("Route (regular expression)").fill("^/phone_numbers/jobs$")
    form.get_by_label("Method").select_option("GET")
    form.get_by_label("Times").fill("1")
    form.get_by_role("button", name="Add fault").click()
    expect(form.locator("#fault-ms-error")).to_be_hidden()
    expect(form.locator(".result")).to_have_text("Added fault_1")
    listed = page.locator('tr[data-fault="fault_1"]')
    expect(listed).to_contain_text("status 503")
    expect(listed).to_contain_text("GET ^/phone_numbers/jobs$")

    with dashboard.api(KEY_A) as api:
        assert api.get("/phone_numbers", params={"page[size]": "1"}).status_code == 200
        failed = api.get("/phone_numbers/jobs")
        assert failed.status_code == 503
        assert failed.json()["errors"][0]["code"] == "10007"
        assert api.get("/phone_numbers/jobs").status_code == 200  # times: 1
    expect(listed).to_have_count(0)
    expect(page.locator(".faults, .empty").first).to_have_text("No request faults.")

    page.get_by_label("Times").fill("x")
    form.get_by_role("button", name="Add fault").click()
    expect(form.locator("#fault-times-error")).to_have_text("must be an integer from 1 to 1000000")
    reset = page.locator("form#reset")
    reset.get_by_role("button", name="Reset tenant").click()
    expect(reset.locator("#reset-confirm-error")).to_have_text("Tick the box to confirm the reset.")
    reset.get_by_label(re.compile("Forget this tenant")).check()
    reset.get_by_role("button", name="Reset tenant").click()
    expect(reset.locator(".result")).to_have_text("The tenant starts again from the default world.")
    tab.assert_clean(422, 422)


def test_two_tenants_in_two_browsers_never_see_each_others_jobs(dashboard: Dashboard) -> None:
    with dashboard.api(KEY_A) as a, dashboard.api(KEY_B) as b:
        job_a = _create_job(a, _active_ids(a, 1), tags=["only-a"])
        job_b = _create_job(b, _active_ids(b, 2), tags=["only-b"])
    tab_a, tab_b = dashboard.open(KEY_A), dashboard.open(KEY_B)
    for tab, mine, theirs in ((tab_a, job_a, job_b), (tab_b, job_b, job_a)):
        expect(tab.page.locator(f'tr[data-job="{mine["id"]}"]')).to_have_count(1)
        expect(tab.page.locator("tbody tr")).to_have_count(1)
        assert theirs["id"] not in tab.page.content()
        tab.page.goto(f"{dashboard.origin}/_mock/ui#/jobs/{theirs['id']}")
        expect(tab.page.locator(".alert")).to_contain_text("404")
        tab.page.get_by_role("link", name="← All jobs").click()
        expect(tab.page.locator("tbody tr")).to_have_count(1)
    # the picker lists both tenants by fingerprint; a key never appears on either page
    for tab in (tab_a, tab_b):
        tab.page.reload()
        options = tab.page.locator("#tenant-seen option")
        expect(options).to_have_count(3)
        text = tab.page.content()
        assert str(fingerprint(KEY_A)) in text
        assert str(fingerprint(KEY_B)) in text
        assert KEY_A not in text
        assert KEY_B not in text
    # a tenant whose key this browser does not know asks for the key, and opens with it
    tab_a.page.locator("#tenant-seen").select_option(str(fingerprint(KEY_B)))
    expect(tab_a.page.locator("#tenant-seen-hint")).to_contain_text("enter the key")
    expect(tab_a.page.get_by_label("API key")).to_be_focused()
    tab_a.page.keyboard.type(KEY_B)
    tab_a.page.keyboard.press("Enter")
    expect(tab_a.page.locator("#tenant-status code")).to_have_text(str(fingerprint(KEY_B)))
    tab_a.page.get_by_role("link", name="Jobs", exact=True).click()
    expect(tab_a.page.locator(f'tr[data-job="{job_b["id"]}"]')).to_have_count(1)
    # and back: a key this tab knows opens from the picker alone
    tab_a.page.locator("#tenant-seen").select_option(str(fingerprint(KEY_A)))
    expect(tab_a.page.locator(f'tr[data-job="{job_a["id"]}"]')).to_have_count(1)
    expect(tab_a.page.locator("tbody tr")).to_have_count(1)
    tab_a.assert_clean(404)
    tab_b.assert_clean(404)


def _unlabelled(page: Page) -> list[str]:
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => el.tagName === 'BUTTON' ? !el.textContent.trim()
                           : el.labels.length === 0)
            .map(el => el.outerHTML)"""
    )
    return found


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_every_view_is_labelled_keyboard_usable_and_fits(
    dashboard: Dashboard, viewport: dict[str, int]
) -> None:
    tab = dashboard.tab(viewport)
    page = tab.page
    page.goto(f"{dashboard.origin}/_mock/ui")
    expect(page.locator("#tenant-status")).to_have_text("No tenant open")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#tenant-key-error")).to_have_text("Enter an API key.")
    page.keyboard.type(KEY_A)
    page.keyboard.press("Enter")
    expect(page.locator("#tenant-status code")).to_have_text(str(fingerprint(KEY_A)))
    with dashboard.api(KEY_A) as api:
        _create_job(api, _active_ids(api, 3), tags=["layout"])
    for name, ready in (
        ("Jobs", "tbody tr"), ("Numbers", "tbody tr"), ("Journal", ".entry"),
        ("Controls", "form#fault"),
    ):  # fmt: skip
        link = page.get_by_role("link", name=name, exact=True)
        link.focus()
        page.keyboard.press("Enter")
        expect(link).to_have_attribute("aria-current", "page")
        expect(page.locator(ready).first).to_be_visible()
        assert _unlabelled(page) == [], name
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: {width}px wide at {viewport['width']}px"
    # a form submitted from the keyboard alone
    page.get_by_label("Advance clock by (seconds)").first.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")
    expect(page.locator("#controls-advance .result")).to_contain_text("Clock now")
    tab.assert_clean()


def test_chromium_is_debians(browser: Browser) -> None:
    """The system chromium (no downloaded browser): the one `make ui-test` asks for."""
    assert shutil.which("chromium") == CHROMIUM
    assert browser.version.split(".")[0].isdigit()
