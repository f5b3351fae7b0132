"""The sandbox in headless Chromium, as a newcomer uses it: `python -m bot sandbox` as a real
process, and a browser clicking through the page. Alice raises a ticket, Bob claims and
resolves it, Alice rates it, Carol runs /desk quality. Screenshots of each step are saved to
`$SANDBOX_SCREENSHOTS` (default: the test's temporary folder).

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
test is skipped, unless `DESK_BROWSER_TESTS=required` (as CI sets) makes that a failure.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness import ROOT, announced_port, child, started

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
have_browser = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover - selenium is in the test extra
    have_browser = False

if not have_browser and os.environ.get("DESK_BROWSER_TESTS") != "required":
    pytest.skip("no Chromium here (install chromium and chromium-driver)", allow_module_level=True)

ALICE, BOB, CAROL, ERIN = "U0ALICE01", "U0BOB0001", "U0CAROL01", "U0ERIN001"
RUNNING = re.compile(r"sandbox is running: http://127\.0\.0\.1:(\d+)/")


@pytest.fixture
def sandbox(tmp_path):
    """`python -m bot sandbox` on a free port (it says which), its data in a temporary folder."""
    log_path = tmp_path / "sandbox.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--data", str(tmp_path / "data")],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        **child(),
    )
    started(process.pid)
    for _ in range(300):
        port = announced_port(log_path, 0, RUNNING)
        if port is not None or process.poll() is not None:
            break
        time.sleep(0.1)
    if port is None:
        process.kill()
        pytest.fail("the sandbox did not start: " + log_path.read_text())
    url = f"http://127.0.0.1:{port}/"
    yield url, tmp_path
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0, (tmp_path / "sandbox.log").read_text()
    log.close()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    options.set_capability(
        "goog:loggingPrefs", {"browser": "ALL"}
    )  # the console, for a failed wait's message
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


class Visitor:
    """Someone at the page: picks a person, types, clicks, and waits for the bot."""

    def __init__(self, driver, folder: Path) -> None:
        self.driver = driver
        self.folder = folder
        self.shots: list[Path] = []

    def wait(self, what, seconds: float = 30):  # generous: CI machines are shared and noisy
        """`what()` once it is truthy. The page redraws on every change, so an element found
        a moment ago may be gone: that counts as not yet."""

        def attempt(_):
            try:
                return what()
            except StaleElementReferenceException:
                return None

        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.1).until(attempt)
        except TimeoutException as timeout:
            self.shot("timeout")
            raise TimeoutException(self._seen()) from timeout

    def _seen(self) -> str:
        """What the page showed when a wait ran out, for the failure's message: CI keeps no
        screenshot, so the words on screen and the browser's console are what a reader has."""
        try:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            sidebar = [
                b.get_attribute("textContent")
                for b in self.driver.find_elements(By.CSS_SELECTOR, "#conversations button")
            ]
            console = [entry.get("message") for entry in self.driver.get_log("browser")]
        except WebDriverException as problem:
            return f"the page could not be read: {problem}"
        return f"conversations: {sidebar}\nconsole: {console[-10:]}\npage:\n{body[-3000:]}"

    def click(self, css: str) -> None:
        """Click the last element matching `css`, once it is there and stays long enough."""

        def clicked():
            found = self.driver.find_elements(By.CSS_SELECTOR, css)
            if not found:
                return False
            found[-1].click()
            return True

        self.wait(clicked)

    def clock(self, label: str) -> None:
        """Press the sandbox clock's `label` button and wait until the clock has moved. The
        clock redraws with every change, so a button found a moment ago may be gone: retried.
        A day's jump runs the desk's jobs at every moment that falls due in it: slow on a busy
        machine, hence the long wait."""
        before = self.wait(lambda: self.driver.find_element(By.ID, "clock-now").text)
        button = f"//div[@id='clock']//button[text()='{label}']"
        self.wait(lambda: self.driver.find_element(By.XPATH, button).click() or True)
        self.wait(lambda: self.driver.find_element(By.ID, "clock-now").text != before, seconds=120)

    def be(self, user: str) -> None:
        self.click(f'[data-user="{user}"]')
        self.wait(lambda: self._pressed(user))

    def _pressed(self, user: str) -> bool:
        found = self.driver.find_elements(By.CSS_SELECTOR, f'[data-user="{user}"][aria-pressed="true"]')
        # and the page shows their view: until it does, the sidebar is still the last person's
        shown = self.driver.find_elements(By.CSS_SELECTOR, f'body[data-me="{user}"]')
        return bool(found) and bool(shown)

    def open(self, conversation: str) -> None:
        self.click(f'[data-conversation="{conversation}"]')
        self.wait(
            lambda: self.driver.find_elements(
                By.CSS_SELECTOR, f'[data-conversation="{conversation}"][aria-current="true"]'
            )
        )

    def type(self, text: str) -> None:
        box = self.driver.find_element(By.ID, "text")
        box.send_keys(text)
        self.driver.find_element(By.CSS_SELECTOR, "#composer button[type=submit]").click()

    def messages_text(self) -> str:
        return self.driver.find_element(By.ID, "messages").text

    def button(self, label: str, scope: str = "#messages", *, exactly: bool = False) -> WebElement:
        """The last button whose words include `label` (or are `label`, `exactly`)."""

        def find():
            found = [
                b
                for b in self.driver.find_elements(By.CSS_SELECTOR, f"{scope} button.btn")
                if (b.text.strip() == label if exactly else label in b.text)
            ]
            return found[-1] if found and found[-1].is_enabled() else None

        return self.wait(find)

    def press(self, label: str, scope: str = "#messages", *, exactly: bool = False) -> None:
        def pressed():
            self.button(label, scope, exactly=exactly).click()
            return True

        self.wait(pressed)

    def raise_request(self, words: str, area: str, urgency: str) -> None:
        """As the person chosen: tell the desk what is wrong and answer its questions (no
        request type, then area and urgency)."""
        self.type(words)
        self.press("Something else")  # the demo's IT team has request types: asked first
        # by its exact words: "Access" is also in the request type "Access to a system", whose
        # button is still on the page until the question is redrawn (CI pressed it: refused as
        # out of date, the area never chosen)
        self.press(area, exactly=True)
        self.press(urgency)
        self.see("is open")

    def see(self, words: str, where: str = "messages", seconds: float = 30) -> None:
        self.wait(lambda: words in self.driver.find_element(By.ID, where).text, seconds)

    def element_shot(self, name: str, element: str = "messages") -> Path:
        """Only the page's `element` (the conversation, by default): a small picture for the docs."""
        folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.driver.find_element(By.ID, element).screenshot(str(path))
        self.shots.append(path)
        return path

    def shot(self, name: str) -> Path:
        folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        self.shots.append(path)
        return path


def test_a_ticket_from_request_to_rating_and_quality_by_clicking_the_page(sandbox, browser):
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)

    # Alice tells the desk what is wrong and answers its two questions with buttons.
    page.be(ALICE)
    page.see("Nothing here yet")
    page.raise_request("My laptop won't boot since this morning", "Hardware", "P2 · High")
    page.see("T-1 is open")
    page.shot("alice-raised-a-ticket")

    # Bob claims it from the triage channel and resolves it through the form.
    page.be(BOB)
    page.open("C0TRIAGE1")
    page.see("My laptop won't boot since this morning")
    page.press("Claim")
    page.see("Bob Baker")
    page.press("Resolve")
    modal = page.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#overlay:not([hidden]) textarea"))[0]
    modal.send_keys("Reseated the battery; it boots again.")
    page.shot("bob-resolves-in-a-modal")
    page.press("Resolve", "#modal")
    page.wait(lambda: browser.find_element(By.ID, "overlay").get_attribute("hidden") is not None)
    page.see("Reseated the battery")
    page.shot("bob-resolved-the-ticket")

    # Alice rates the help from her DM; the buttons give way to thanks.
    page.be(ALICE)
    page.open("D0ALICE01")
    page.see("How did we do")
    page.press("5 · Great")
    page.see("Thanks! You rated T-1")
    page.shot("alice-rated-the-help")

    # Carol asks how the desk is doing; the answer is only for her.
    page.be(CAROL)
    page.type("/desk quality")
    page.see("Quality · last 7 days")
    text = page.messages_text()
    assert "Only visible to you" in text
    assert "5.0 / 5 from 1 rating" in text
    page.shot("carol-quality-summary")

    # The clock moves on a day at a time: the digests of each new day reach Carol in her DM, one
    # for each team she leads, and IT's reports the day of the ticket. A digest covers the day
    # before, and none is sent for a day that ended before the desk began (a first start sends
    # no empty digest), so depending on the hour the test runs at, the first day's jump brings
    # none or the day before the ticket: within three days one covers the ticket's day.
    def it_digests() -> list[str]:
        return [
            d.split("Daily digest · People ·")[0]
            for d in page.messages_text().split("Daily digest · IT ·")[1:]
        ]

    for _ in range(3):
        if any("Opened\n1" in digest for digest in it_digests()):
            break
        page.clock("+1d")
    page.wait(lambda: any("Opened\n1" in digest for digest in it_digests()), seconds=120)
    page.wait(lambda: page.messages_text().count("Daily digest · People ·") >= 1)
    page.see("Yesterday,")
    assert any("Opened\n1" in digest for digest in it_digests()), it_digests()
    page.shot("carol-daily-digest")
    assert len(page.shots) == 6 and all(p.stat().st_size > 10_000 for p in page.shots)


def test_the_fault_switches_show_the_bot_riding_out_rate_limits_and_errors(sandbox, browser):
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    page.be(ALICE)
    page.click("#fault-ratelimit")
    page.see("3 calls to rate-limit", where="faults")
    page.type("The printer is jammed")
    page.press("Something else")
    page.press("Hardware")  # the question arrived after Slack's 429s, waited out
    page.click("#fault-errors")
    # armed, or already spent on a call the desk was still making (a busy machine is slow to draw)
    page.wait(
        lambda: (
            "calls to fail" in browser.find_element(By.ID, "faults").text
            or "500 fault" in browser.find_element(By.ID, "traffic").get_attribute("textContent")
        )
    )
    page.press("P3 · Normal")
    page.see("T-1 is open")
    traffic = browser.find_element(By.ID, "traffic").get_attribute("textContent")
    assert "429 fault" in traffic and "500 fault" in traffic
    page.click(".traffic summary")
    page.shot("faults-ridden-out")

    # The triage card may have met a 500 and wait for its second try: let it go first, so the
    # one message owed below is the answer (CI: the card was still owed when Slack went down).
    page.see("Nothing owed to Slack", where="owed")

    # Slack down: the desk's calls fail with 503 while the switch is on.
    page.click("#fault-down")
    page.wait(lambda: browser.find_element(By.ID, "fault-down").is_selected())
    page.type("status T-1")
    page.wait(lambda: "503 fault" in browser.find_element(By.ID, "traffic").get_attribute("textContent"))
    page.see("1 message waiting for Slack", where="owed")  # the answer, owed (finding 13)
    page.see("failed: sent once Slack answers", where="owed")
    page.shot("owed-to-slack")
    page.click("#fault-down")
    page.wait(lambda: not browser.find_element(By.ID, "fault-down").is_selected())
    page.see("Nothing owed to Slack", where="owed", seconds=10)  # sent at once, not after its back-off
    page.wait(lambda: page.messages_text().count("P3 · Normal") >= 2)
    page.type("status T-1")  # back up: answered again
    page.wait(lambda: page.messages_text().count("P3 · Normal") >= 3)


def test_working_a_ticket_on_the_page_and_what_a_newcomer_tripped_over(sandbox, browser):
    """Waiting on the requester, Details and a saved reply, clicked through; and the page's
    own fixes: hints per role, one 24-hour way of writing times, day dividers, the clock's
    lead in whole units, no message box on the Home tab, calls listed with time and place."""
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    hints = lambda: browser.find_element(By.ID, "hints").text  # noqa: E731

    page.be(ALICE)
    page.wait(lambda: "/ticket" in hints())
    assert "/desk claim" not in hints() and "/desk quality" not in hints(), "employees: their commands only"
    page.raise_request("The projector in room 4 shows no picture", "Hardware", "P2 · High")
    assert browser.find_elements(By.CSS_SELECTOR, "#messages .day-divider"), "messages sit under their day"
    times = page.wait(lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#messages .meta")])
    assert times and all(
        re.search(r"([01]\d|2[0-3]):[0-5]\d", t) and "AM" not in t and "PM" not in t for t in times
    ), times

    page.be(BOB)
    page.open("C0TRIAGE1")
    page.wait(lambda: "/desk claim" in hints() and "/desk wait" in hints())
    page.press("Claim")
    page.press("Waiting on requester")
    modal = page.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#overlay:not([hidden]) textarea"))[0]
    modal.send_keys("Which cable did you use: HDMI or USB-C?")
    page.press("Ask and wait", "#modal")
    page.wait(lambda: browser.find_element(By.ID, "overlay").get_attribute("hidden") is not None)
    page.see("the resolution clock is paused")
    page.see("notes written here are never sent to the requester")
    page.shot("waiting-card")
    page.press("Details")
    page.wait(lambda: "Targets" in browser.find_element(By.ID, "modal").text)
    assert "The projector in room 4 shows no picture" in browser.find_element(By.ID, "modal").text
    page.shot("details-modal")
    page.click("#modal .modal-head button")
    page.wait(lambda: browser.find_element(By.ID, "overlay").get_attribute("hidden") is not None)
    page.type("/desk reply T-1 :restart")
    page.see("Sent to")

    page.be(ALICE)
    page.open("D0ALICE01")
    page.click("#messages button.replies")  # the ticket is talked about in its thread
    page.see("Which cable did you use", where="thread-messages")
    page.see("please restart the laptop", where="thread-messages")  # the saved reply, filled in
    page.see("Hi Alice Archer", where="thread-messages")

    page.open("home")
    page.wait(lambda: browser.find_element(By.ID, "composer").get_attribute("hidden") is not None)
    assert not browser.find_element(By.ID, "composer").is_displayed(), "no message box on the Home tab"
    page.see("Your open tickets (1)")  # her Home, live: the ticket and what happens next
    page.see("asked you a question")

    page.clock("+1h")
    page.wait(lambda: "(+1h)" in browser.find_element(By.ID, "clock").text)
    assert "60m" not in browser.find_element(By.ID, "clock").text
    page.see("Your open tickets\nNone.")  # unanswered for 30 minutes: closed, and her Home says so

    page.be(CAROL)  # the lead's Home: the week with its sparklines
    page.open("home")
    page.see("IT · this week")  # each team she leads: IT, then People
    page.see("Opened · 1")
    page.shot("lead-home")

    page.click(".traffic summary")
    traffic = browser.find_element(By.ID, "traffic").text
    assert re.search(r"\d\d:\d\d chat\.postMessage → #it-triage ok", traffic), traffic
    assert "→ DM with Alice Archer" in traffic


def test_the_weekly_report_arrives_with_its_chart_drawn(sandbox, browser):
    """The report of the week the desk began comes at its next Monday 09:00, and the one after
    it a week on; the report charts the ticket raised, answered and rated now."""
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    page.be(ALICE)
    page.raise_request("The badge reader at the door is dead", "Access", "P3 · Normal")
    page.be(BOB)
    page.open("C0TRIAGE1")
    page.press("Claim")
    page.type("/resolve T-1 Replaced the reader")  # an alias kept
    page.see("Resolved by")
    page.be(ALICE)
    page.open("D0ALICE01")
    page.press("5 · Great")
    page.see("Thanks! You rated T-1")
    page.be(CAROL)

    def reports() -> int:  # Carol leads both teams: IT's reports are the ones to count
        return page.messages_text().count("Weekly report · IT ·")

    # No report is sent for a week that ended before the desk began (a first start sends no
    # empty report): two Mondays 09:00 pass within fifteen days, whatever day this runs.
    for _ in range(15):
        if reports() >= 2:
            break
        page.clock("+1d")
    page.wait(lambda: reports() >= 2, seconds=120)
    assert "Opened *1*" not in page.messages_text() and "Opened 1" in page.messages_text()

    def drawn() -> bool:  # looked up afresh each time: the page redraws as messages arrive
        images = browser.find_elements(By.CSS_SELECTOR, "#messages img.shared-file")
        return bool(images) and browser.execute_script("return arguments[0].naturalWidth", images[-1]) >= 800

    page.wait(drawn)
    page.wait(  # the IT report's whole message, its words and its chart, for the docs' picture
        lambda: browser.execute_script(
            "const m = [...document.querySelectorAll('#messages .message')].filter(m =>"
            " m.querySelector('img.shared-file') && m.innerText.includes('Weekly report · IT ·'));"
            "m[m.length - 1].scrollIntoView({block: 'start'}); return true"
        )
    )
    page.shot("weekly-report")


def test_a_request_channel_on_the_page_both_ways_and_assignment_in_turn(sandbox, browser):
    """Erin writes in #it-help: the ticket opens in the message's thread, where she sets its
    urgency and Dave answers her; the card in #it-triage shows his answer. In #people-help the
    People team's tickets go to Fran and Dave in turn, and Fran's Home has the away switch."""
    erin, dave, fran = "U0ERIN001", "U0DAVE001", "U0FRAN001"
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    page.be(erin)
    page.open("C0ITHELP1")
    page.type("The printer on floor 2 jams on every page")
    page.click("#messages button.replies")
    page.see("is open", where="thread-messages")
    urgency = page.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#thread-messages select"))[0]
    Select(urgency).select_by_value("P2")
    page.see("P2 · High", where="thread-messages")

    page.be(dave)
    page.open("C0ITHELP1")
    page.click("#messages button.replies")
    # the thread opens as the page redraws: typed into only once it shows (as the walkthrough does)
    page.wait(lambda: browser.find_element(By.ID, "thread").get_attribute("hidden") is None)
    browser.find_element(By.ID, "thread-text").send_keys("Which tray do you print from?")
    browser.find_element(By.CSS_SELECTOR, "#thread-composer button[type=submit]").click()
    page.see("Which tray do you print from?", where="thread-messages")
    page.shot("request-channel")
    page.open("C0TRIAGE1")
    page.click("#messages button.replies")
    page.see("replied in the requester's thread", where="thread-messages")
    page.shot("card-thread")

    page.be(erin)
    page.open("C0PPLHELP")
    page.type("How many leave days do I have left?")
    page.be(fran)
    page.open("D0FRAN001")
    page.see("the desk assigned it to you")
    page.shot("assigned-dm")
    page.open("home")
    page.see("You're here")
    page.press("I'm away", "#messages")
    page.see("You're away until you're back")
    page.shot("agent-home-away")


def test_an_access_request_from_the_dm_is_approved_from_the_approvers_dms(sandbox, browser):
    """The approvals walkthrough by clicking the page: Alice asks in her DM, picks "Access to a
    system" and fills its form; Carol approves from her DM, then Erin (the manager Alice named);
    the card in #it-triage carries the fields. The docs' pictures of an approver's DM and of a
    card with its fields (docs/images/) are this test's element shots."""
    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    page.be(ALICE)
    page.type("I need the VPN for the month-end close")
    page.press("Access to a system")
    page.wait(
        lambda: browser.find_elements(
            By.CSS_SELECTOR, '#overlay:not([hidden]) [data-block-id="field_system"]'
        )
    )
    Select(
        browser.find_element(By.CSS_SELECTOR, '#modal select[data-block-id="field_system"]')
    ).select_by_value("VPN")
    browser.find_element(By.CSS_SELECTOR, '#modal [data-block-id="field_reason"]').send_keys(
        "Closing the books from home on the 30th"
    )
    Select(
        browser.find_element(By.CSS_SELECTOR, '#modal select[data-block-id="field_manager"]')
    ).select_by_value(ERIN)
    page.press("Send for approval", "#modal")
    page.wait(lambda: browser.find_element(By.ID, "overlay").get_attribute("hidden") is not None)
    page.see("is waiting for approval")

    page.be(CAROL)
    page.open("D0CAROL01")
    page.see("Your approval is asked")
    page.element_shot("approver-dm")
    page.press("Approve", exactly=True)  # not "Approve with a note"
    page.see("You approved this request")
    page.be(ERIN)
    page.open("D0ERIN001")
    page.see("Your approval is asked")
    page.press("Approve", exactly=True)
    page.see("You approved this request")

    page.be(BOB)
    page.open("C0TRIAGE1")
    page.see("Which system?")
    page.element_shot("card-with-fields")
    page.be(ALICE)
    page.open("D0ALICE01")
    page.see("was approved: it is T-1 now")
    assert all(p.stat().st_size < 200_000 for p in page.shots)


@pytest.fixture
def chinese_desk(tmp_path):
    """The sandbox's own config with `desk.language = "zh-CN"`, written before it starts (the
    sandbox keeps a config it finds in its folder)."""
    from bot.sandbox.demo import demo_config, local_zone
    from bot.sandbox.run import CONFIG_FILE

    data = tmp_path / "data"
    data.mkdir()
    config = demo_config(data / "desk.json", local_zone())
    (data / CONFIG_FILE).write_text(config.replace("[desk]\n", '[desk]\nlanguage = "zh-CN"\n', 1))


def test_the_chinese_desk_on_the_page(chinese_desk, sandbox, browser):
    """Issue 36: a desk whose language is zh-CN, and people whose Slack speaks Chinese (the
    page's language switch): the request, the card, the claim and `/desk help` read Chinese.
    The last screenshot is the README's (`docs/images/zh-desk.png`)."""
    from tests.test_i18n import english_left

    url, folder = sandbox
    browser.get(url)
    browser.set_window_size(1400, 860)
    page = Visitor(browser, folder)

    page.be(ALICE)
    page.click("#language")  # Alice's Slack now speaks Chinese
    page.wait(lambda: browser.find_element(By.ID, "language").text == "English")
    page.type("打印机一直卡纸，打印不了")
    page.press("其他")  # "Something else": the demo's IT team has request types, asked first
    page.press("Hardware")
    page.press("P2 · 高")
    page.see("T-1")
    page.wait(lambda: "已创建" in page.messages_text() or "已提交" in page.messages_text())

    page.be(BOB)
    page.click("#language")
    page.wait(lambda: browser.find_element(By.ID, "language").text == "English")
    page.open("C0TRIAGE1")
    page.see("打印机一直卡纸")
    page.press("认领")
    page.see("你认领了 T-1")
    page.see("已由")  # the card redrawn: claimed by Bob
    page.see("Nothing owed to Slack", where="owed")
    page.shot("zh-desk")
    page.type("/desk help")
    page.see("你可以用")
    # What the desk wrote: not code (commands stay the same words), not the page's own chrome.
    words = browser.execute_script(
        "const m = document.getElementById('messages').cloneNode(true);"
        "m.querySelectorAll('code, pre, .only-you, .app, .meta, .day-divider, b, button:not(.btn)')"
        ".forEach(e => e.remove());"
        "return m.innerText;"
    )
    left = [run for run in english_left(words) if run not in ("Bob Baker", "Alice Archer")]
    assert "认领" in words and "你可以用" in words and left == [], (left, words)


ENGLISH_DATE = re.compile(
    r"^(Today|Tomorrow|Yesterday|[A-Z][a-z]{2} \d{1,2}, \d{4})( at)? \d\d:\d\d$", re.IGNORECASE
)
CHINESE_DATE = re.compile(r"^(今天|明天|昨天|\d{4}年\d{1,2}月\d{1,2}日)( at)? \d\d:\d\d$")


ENGLISH_DAY = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}$")
CHINESE_DAY = re.compile(r"^\d{1,2}月\d{1,2}日周[一二三四五六日]$")
ENGLISH_CLOCK = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$")
CHINESE_CLOCK = re.compile(r"^\d{1,2}月\d{1,2}日周[一二三四五六日] \d\d:\d\d$")


def page_chrome(browser) -> dict:
    """The page's own words for days and times: its day dividers, its clock and the edited
    markers in the conversation."""
    return browser.execute_script(
        "const all = (css) => [...document.querySelectorAll(css)].map(e => e.textContent);"
        "const one = (css) => document.querySelector(css).textContent;"
        "return {days: all('#messages .day-divider'), clock: one('#clock-now'),"
        " edited: all('#messages .edited'), send: one('#composer button[type=submit]')};"
    )


def reads(chrome: dict, language: str) -> bool:
    """Whether the page's chrome is written in `language` ("en" or "zh-CN")."""
    day, clock = (CHINESE_DAY, CHINESE_CLOCK) if language == "zh-CN" else (ENGLISH_DAY, ENGLISH_CLOCK)
    edited = "编辑" if language == "zh-CN" else "edited"
    return (
        bool(chrome["days"])
        and all(day.match(d) for d in chrome["days"])
        and bool(clock.match(chrome["clock"]))
        and all(edited in e for e in chrome["edited"])
        and chrome["send"] == ("发送" if language == "zh-CN" else "Send")
    )


def shown_dates(browser, where: str = "#messages") -> list[list[str]]:
    """Each date token the page drew in `where`: [its words, its fallback]."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .date')].map(e => [e.textContent, e.title]);",
        where,
    )


def test_date_tokens_read_in_each_persons_own_language(sandbox, browser):
    """Issue 36: Slack draws `<!date^…^FORMAT|fallback>` for each reader, in their language,
    following FORMAT. Alice switched to 中文 reads her confirmation's due time in Chinese; Bob
    (English) reads the card's in English; Alice switched back reads her message in English.
    The page's own chrome follows the reader too: Alice's day dividers and clock read Chinese,
    Bob's English. The page's script gives the node check's words in Chromium too."""
    from tests.test_sandbox_dates import CASES, CHECK, CHROME, NOW

    url, folder = sandbox
    browser.get(url)
    page = Visitor(browser, folder)
    shown = browser.execute_script(CHECK + "return shownAll(arguments[0], arguments[1]);", NOW, CASES)
    assert shown == [case[-1] for case in CASES]
    shown = browser.execute_script(CHECK + "return chromeAll(arguments[0]);", CHROME)
    assert shown == [case[-1] for case in CHROME]

    page.be(ALICE)
    page.click("#language")
    page.wait(lambda: browser.find_element(By.ID, "language").text == "English")
    page.type("打印机一直卡纸，打印不了")
    page.press("其他")
    page.press("Hardware")
    page.press("P2 · 高")
    page.see("T-1")
    # her confirmation (written in Chinese: no "at") says when a first answer is due
    dates = page.wait(
        lambda: [d for d in shown_dates(browser) if " at " not in d[0]] and shown_dates(browser)
    )
    assert all(CHINESE_DATE.match(words) and fallback for words, fallback in dates), dates
    # the day divider, the clock, and her question (answered, so edited) marked in Chinese
    page.wait(lambda: reads(page_chrome(browser), "zh-CN") and page_chrome(browser)["edited"])
    chrome = page_chrome(browser)
    assert reads(chrome, "zh-CN") and chrome["edited"], chrome

    page.be(BOB)
    page.open("C0TRIAGE1")
    page.see("打印机一直卡纸")
    dates = page.wait(lambda: shown_dates(browser))
    assert all(ENGLISH_DATE.match(words) and fallback for words, fallback in dates), dates
    page.wait(lambda: reads(page_chrome(browser), "en"))  # Bob reads English
    chrome = page_chrome(browser)
    assert reads(chrome, "en"), chrome

    page.be(ALICE)
    page.click("#language")  # back to English: the same messages, their dates in English
    page.wait(lambda: browser.find_element(By.ID, "language").text == "中文")
    page.see("T-1")
    dates = page.wait(lambda: shown_dates(browser))
    assert all(ENGLISH_DATE.match(words) for words, _ in dates), dates
    assert any(" at " not in words for words, _ in dates), dates  # her Chinese confirmation's FORMAT
    page.wait(lambda: reads(page_chrome(browser), "en") and page_chrome(browser)["edited"])
    chrome = page_chrome(browser)
    assert reads(chrome, "en") and chrome["edited"], chrome
