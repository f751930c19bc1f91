"""The real thing in a real browser: ``streamlit run`` behind a real OIDC redirect to oidc-provider-mock.

Debian's Chromium (``/usr/bin/chromium``) drives the app through Playwright. Without it the test is
skipped with a message, unless ``CI`` is set, where a missing browser is a failure. With
``PAYOFF_SCREENSHOTS=1`` it also takes the screenshots in ``docs/screenshots/`` (that is how the
committed ones were made): ``PAYOFF_SCREENSHOTS=1 python -m pytest tests/app/test_browser.py``.

The app runs on 127.0.0.1 and the identity providers on localhost: two hosts, so their cookies never mix.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from payoff.app.auth import DEMO_COOKIE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}  # a laptop screen
BRIEF_SECONDS = 15  # lifetime of the short-lived ID tokens: long enough to sign in on a loaded one-core machine

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {seconds} s")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = "Browser tests need Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def idps() -> Iterator[dict[str, str]]:
    """Two oidc-provider-mock servers on loopback (any subject may sign in; its email claim is the
    subject): ``corp`` issues hour-long ID tokens, ``brief`` four-second ones (to watch one expire)."""
    from oidc_provider_mock import run_server_in_thread

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
        with (
            run_server_in_thread() as corp,
            run_server_in_thread(access_token_max_age=timedelta(seconds=BRIEF_SECONDS)) as brief,
        ):
            yield {"corp": f"http://localhost:{corp.server_port}", "brief": f"http://localhost:{brief.server_port}"}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """The app's working folder, holding its database and ``.streamlit/secrets.toml``."""
    return tmp_path_factory.mktemp("app")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    id: int


@dataclass(frozen=True)
class Cast:
    """Who plays which part, read from the demo organisation: an employee, their manager, someone
    outside that manager's reports, a leader and an admin."""

    employee: Person
    manager: Person
    outsider: Person
    leader: Person
    admin: Person


@pytest.fixture(scope="module")
def cast(home) -> Cast:
    """The demo organisation (``payoff seed-demo``) in the app's database, and its cast."""
    from sqlmodel import select

    from payoff.app.access import reports
    from payoff.store import db, demo
    from payoff.store.models import Person as Row

    url = f"sqlite:///{home / 'payoff.db'}"
    db.upgrade(url)
    demo.seed(url)
    with db.session(url) as s:
        people = {p.id: p for p in s.exec(select(Row).order_by(Row.email))}
        first = lambda role: next(p for p in people.values() if p.role == role)  # noqa: E731
        manager = first("manager")
        below = reports(s, manager.email)
    employee = next(people[i] for i in sorted(below) if people[i].role == "employee")
    outsider = next(p for p in people.values() if p.id not in below and p.role == "employee")
    as_person = lambda p: Person(p.email, p.name, p.id)  # noqa: E731
    return Cast(*(as_person(p) for p in (employee, manager, outsider, first("leader"), first("admin"))))


def set_claims(idp: str, sub: str, claims: dict) -> None:
    """What the mock IdP puts in the ID token of ``sub`` (it accepts any claim of any type)."""
    request = urllib.request.Request(
        f"{idp}/users/{urllib.request.quote(sub)}",
        data=json.dumps(claims).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture(scope="module")
def app_url(chromium, idps, home, cast) -> Iterator[str]:
    """``payoff serve`` on a free loopback port, with ``[auth]`` naming both mock IdPs, which vouch for the
    cast's emails (``email_verified``: Payoff refuses an email the provider has not verified)."""
    for idp in idps.values():
        for person in (cast.employee, cast.manager, cast.outsider, cast.leader, cast.admin):
            set_claims(idp, person.email, {"email": person.email, "email_verified": True})
    url = f"sqlite:///{home / 'payoff.db'}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    (home / ".streamlit").mkdir()
    providers = "".join(
        f'[auth.{name}]\nclient_id = "payoff"\nclient_secret = "payoff-secret"\n'
        f'server_metadata_url = "{url}/.well-known/openid-configuration"\n'
        for name, url in idps.items()
    )
    (home / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "{base}/oauth2callback"\ncookie_secret = "browser-test-cookie-secret"\n{providers}'
    )
    env = {**os.environ, "PAYOFF_DATABASE_URL": url}
    env.pop("PAYOFF_DEMO_SIGNIN", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from payoff.app.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
        ],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_healthy(f"{base}/_stcore/health", process)
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Shots:
    """Where screenshots go: ``docs/screenshots/`` with PAYOFF_SCREENSHOTS=1, else nowhere (saves time)."""

    def __truediv__(self, name: str) -> Path | None:
        return SCREENSHOTS / name if os.environ.get("PAYOFF_SCREENSHOTS") == "1" else None


@pytest.fixture
def shots() -> Shots:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Shots()


def sign_in(browser, app_url: str, email: str, provider: str = "corp"):
    """A fresh browser context signed in as ``email`` through the IdP's authorisation form."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(app_url)
    page.get_by_role("button", name=f"Sign in with {provider}").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**")
    page.get_by_text("Signed in as").wait_for()
    return context, page


def refused_sign_in(browser, app_url: str, idp: str, sub: str, claims: dict) -> str:
    """Sign in as ``sub`` with these ID-token claims; the page's text once Payoff has refused them."""
    set_claims(idp, sub, claims)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with corp").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**")
    page.locator("[data-testid=stAlertContentError]").wait_for()
    settle(page)
    body = page.inner_text("body")
    assert page.locator("[data-testid=stException]").count() == 0, body
    context.close()
    return body


def settle(page) -> None:
    """Wait until Streamlit has finished the script run and the charts have drawn."""
    page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton], [data-stale=true]')")


def screenshot(page, path: Path | None) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the window to the content first.
    ``None`` (screenshots not asked for) takes none."""
    if path is None:
        return
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    settle(page)
    # Vega draws after the run ends: wait until every chart has drawn its marks.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.vega-embed')]"
        ".every(chart => chart.querySelector('svg.marks, canvas.marks'))"
    )
    page.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)


def refused(page) -> None:
    """Streamlit's "page not found" notice for a page outside the viewer's navigation; close it."""
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "Page not found" in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def test_employee_signs_in_sees_only_their_own_view_and_signs_out(browser, app_url, cast, shots):
    me, other = cast.employee, cast.outsider
    context, page = sign_in(browser, app_url, me.email)
    settle(page)
    assert page.get_by_role("heading", name="My payoff").is_visible()
    assert me.name in page.inner_text("[data-testid=stSidebar]")
    assert page.locator("[data-testid=stSidebarNav]").count() == 0  # one page: no navigation at all
    screenshot(page, shots / "employee-my-payoff.png")

    # Neither the URL of another page nor a person's id in a query parameter reaches anyone else's data.
    for path in ("/team", f"/team?person={other.id}", f"/my-payoff?person={other.id}", "/admin"):
        page.goto(app_url + path)
        page.get_by_text("Signed in as").wait_for()
        if not path.startswith("/my-payoff"):
            refused(page)
        settle(page)
        body = page.inner_text("body")
        assert other.name not in body and cast.manager.name not in body, path
        assert page.get_by_role("heading", name="My payoff").is_visible(), path

    # The monthly review downloads as a real file, built on click for the signed-in person only.
    button = page.get_by_role("button", name="Review as PDF")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert text.startswith("Monthly review") and me.name in text and other.name not in text

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in with corp").wait_for()
    assert "Signed in as" not in page.inner_text("body")
    context.close()


def test_an_expired_id_token_signs_the_user_out(browser, app_url, cast):
    """Streamlit keeps the claims in its cookie for 30 days; Payoff checks ``exp`` on every run."""
    context, page = sign_in(browser, app_url, cast.employee.email, provider="brief")
    signed_in = time.monotonic()
    settle(page)
    page.wait_for_timeout(max(0.0, BRIEF_SECONDS + 1 - (time.monotonic() - signed_in)) * 1000)
    page.goto(app_url)  # the next run reads the cookie again
    page.wait_for_url("**/oauth2/end_session**")  # st.logout: cookie cleared, then the provider's sign-out
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with brief").wait_for()
    assert "Signed in as" not in page.inner_text("body")
    context.close()


def test_sign_in_refuses_unverified_look_alike_and_malformed_emails(browser, app_url, idps, cast):
    """Each ID token names a real person's email, and none of them signs in: ``email_verified`` the
    string "false" or absent, the email with a Unicode look-alike letter, the email claim a list."""
    email = cast.admin.email
    first = email[0]
    look_alike = email.replace("k", "\u212a", 1) if "k" in email else chr(ord(first) + 0xFEE0) + email[1:]
    cases = [
        ("says-false", {"email": email, "email_verified": "false"}, "`email_verified` is not true"),
        ("says-nothing", {"email": email}, "`email_verified` is missing"),
        ("look-alike", {"email": look_alike, "email_verified": True}, "only look like ordinary letters"),
        ("two-emails", {"email": [email, cast.employee.email], "email_verified": True}, "no email address as text"),
    ]
    for sub, claims, said in cases:
        body = refused_sign_in(browser, app_url, idps["corp"], sub, claims)
        assert said.replace("`", "") in body and "Signed in as" not in body and "Traceback" not in body, (sub, body)


def test_manager_lands_on_team_and_drills_into_a_report_only(browser, app_url, cast, shots):
    context, page = sign_in(browser, app_url, cast.manager.email)
    page.get_by_role("heading", name="Team").wait_for()  # a manager lands on their team
    settle(page)
    screenshot(page, shots / "manager-team.png")
    page.goto(f"{app_url}/my-payoff")
    page.get_by_role("heading", name="My payoff").wait_for()
    settle(page)
    screenshot(page, shots / "manager-my-payoff.png")

    page.goto(f"{app_url}/team?person={cast.employee.id}")
    page.get_by_role("heading", name=cast.employee.name).wait_for()
    settle(page)
    screenshot(page, shots / "manager-team-person.png")

    page.goto(f"{app_url}/team?person={cast.outsider.id}")  # not one of this manager's reports
    page.get_by_text("You may not see this person's figures").wait_for()
    assert cast.outsider.name not in page.inner_text("body")
    for path in ("/organisation", "/admin"):
        page.goto(app_url + path)
        page.get_by_text("Signed in as").wait_for()
        refused(page)
    context.close()


@pytest.mark.parametrize(
    ("part", "pages"),
    [
        ("leader", {"organisation": "Organisation", "team": "Team", "my-payoff": "My payoff"}),
        ("admin", {"organisation": "Organisation", "admin": "Admin", "my-payoff": "My payoff"}),
    ],
)
def test_leader_and_admin_land_on_the_organisation_and_their_pages_render(browser, app_url, cast, shots, part, pages):
    context, page = sign_in(browser, app_url, getattr(cast, part).email)
    for path, title in pages.items():  # the first is where they land
        if path != "organisation":
            page.goto(f"{app_url}/{path}")
        page.get_by_role("heading", name=title, exact=True).wait_for()
        settle(page)
        assert not page.locator("[data-testid=stException]").count()
        screenshot(page, shots / f"{part}-{path}.png")
    context.close()


def test_admin_maps_an_unmatched_identity(browser, app_url, home, cast):
    """A Jira account named like the employee waits with one ticket; the admin maps it in one click."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from payoff.store import db
    from payoff.store.models import AuditLog, Identity, Ticket
    from payoff.store.writes import upsert

    url = f"sqlite:///{home / 'payoff.db'}"
    opened = datetime.now(UTC)
    with db.session(url) as s:
        upsert(
            s,
            Identity,
            [{"id": "jira:acct-0042", "source": "jira", "external_id": "acct-0042", "label": cast.employee.name}],
        )
        upsert(
            s,
            Ticket,
            [
                {
                    "id": "jira:OPS-1",
                    "key": "OPS-1",
                    "project": "OPS",
                    "type": "task",
                    "original_type": "Task",
                    "status": "To Do",
                    "status_category": "new",
                    "created_at": opened,
                    "identity_id": "jira:acct-0042",
                }
            ],
        )
    context, page = sign_in(browser, app_url, cast.admin.email)
    page.goto(f"{app_url}/admin")
    page.get_by_role("tab", name="Unmatched identities").click()
    page.get_by_role("button", name="Map identity").wait_for()
    settle(page)
    identity, person = (
        page.get_by_role("combobox", name=label).input_value() for label in ("Identity", "Is this person")
    )
    assert "jira:acct-0042 — 1 rows waiting" in identity
    assert f"{cast.employee.name} <{cast.employee.email}> — suggested: same name" in person
    page.get_by_role("button", name="Map identity").click()
    page.get_by_text("1 rows moved").wait_for()
    with db.session(url) as s:
        assert s.get(Identity, "jira:acct-0042").person_id == cast.employee.id
        assert s.get(Ticket, "jira:OPS-1").person_id == cast.employee.id
        mapped = s.exec(select(AuditLog).where(AuditLog.view == "identity.map")).one()
    assert (mapped.viewer_email, mapped.subject) == (cast.admin.email, cast.employee.email)
    context.close()


def test_demo_sign_in_survives_a_reload_and_signing_out_ends_it(browser, chromium, home, cast):
    """``payoff demo``'s sign-in (no [auth]): the pick lives in the session and a cookie, so a reload (a new
    Streamlit session) keeps the viewer; signing out clears both."""
    demo_home = home / "demo"
    demo_home.mkdir()
    port = _free_port()
    env = {**os.environ, "PAYOFF_DATABASE_URL": f"sqlite:///{home / 'payoff.db'}", "PAYOFF_DEMO_SIGNIN": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from payoff.app.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
        ],
        cwd=demo_home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base}/_stcore/health", process)
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(base)
        page.get_by_role("button", name="Sign in (demo)").wait_for()
        settle(page)
        page.get_by_role("button", name="Sign in (demo)").click()
        page.get_by_text("Signed in as").wait_for()
        signed_in_as = page.get_by_text("Signed in as").inner_text()
        page.wait_for_function(f"() => document.cookie.includes('{DEMO_COOKIE}=')")
        page.reload()
        page.get_by_text("Signed in as").wait_for()
        assert page.get_by_text("Signed in as").inner_text() == signed_in_as
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in (demo)").wait_for()
        page.wait_for_function(f"() => !document.cookie.includes('{DEMO_COOKIE}=')")
        page.reload()
        page.get_by_role("button", name="Sign in (demo)").wait_for()
        assert "Signed in as" not in page.inner_text("body")
        context.close()
    finally:
        process.terminate()
        process.wait(10)
