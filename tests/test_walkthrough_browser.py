"""The walkthrough in the docs (`docs/walkthrough.md`), followed in the sandbox in headless
Chromium by its own text (issue 41: "a walkthrough that shows what it promises ... checked by
the browser test, the test follows the docs' steps by their text where it can").

The test reads the numbered steps from the Markdown. Everything a step names in bold (a
person, a conversation, a button, a label) is looked for on the page by those words and
clicked or read there; what it quotes ("My laptop won't boot") is what is typed; its code
(`/desk quality`) is the command typed; and what it promises is checked by the step's own
words (`step.says(...)` fails if the doc no longer says it). After each step every bold name
must have been used, so a step naming a button the page does not have, or one the test skips,
fails here. Where a step cannot be followed literally (it names no words to type, or offers an
alternative), the test says so with `step.not_literal(name, why)` and those reasons are part
of the test's output.

Needs Chromium (see tests/test_sandbox_browser.py); `DESK_BROWSER_TESTS=required` makes its
absence a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import ROOT
from tests.test_sandbox_browser import Visitor, browser, sandbox  # noqa: F401 - fixtures

from selenium.common.exceptions import TimeoutException  # isort: skip
from selenium.webdriver.common.action_chains import ActionChains  # isort: skip
from selenium.webdriver.common.by import By  # isort: skip
from selenium.webdriver.support.ui import Select  # isort: skip

WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
STEP = re.compile(r"^(\d+)\.\s+(.*)$")


@dataclass
class Step:
    """One numbered step of the walkthrough, as written."""

    number: int
    text: str
    used: dict[str, str] = field(default_factory=dict)  # bold name -> how the test followed it

    @property
    def bold(self) -> list[str]:
        return re.findall(r"\*\*(.+?)\*\*", self.text)

    @property
    def quoted(self) -> list[str]:
        return re.findall(r'"([^"]+)"', self.text)

    @property
    def code(self) -> list[str]:
        return re.findall(r"`([^`]+)`", self.text)

    @property
    def italic(self) -> list[str]:
        return re.findall(r"(?<![*\w])\*([^*]+)\*(?![*\w])", self.text)

    def person(self, name: str) -> str:
        """ "As **Name**": the step's actor, in the doc's words."""
        assert f"As **{name}**" in self.text, f"step {self.number} does not say 'As **{name}**'"
        return self.name(name, "chosen at the top")

    def name(self, words: str, how: str = "found on the page") -> str:
        assert words in self.bold, f"step {self.number} names no **{words}**: {self.bold}"
        self.used[words] = how
        return words

    def quote(self, words: str) -> str:
        assert words in self.quoted, f'step {self.number} quotes no "{words}": {self.quoted}'
        return words

    def command(self, words: str) -> str:
        assert words in self.code, f"step {self.number} gives no `{words}`: {self.code}"
        return words

    def label(self, words: str) -> str:
        assert words in self.italic, f"step {self.number} names no *{words}*: {self.italic}"
        return words

    def says(self, words: str) -> str:
        """A promise the step makes, in its words (checked on the page by the caller)."""
        assert words in self.text, f"step {self.number} no longer says {words!r}"
        return words

    def not_literal(self, words: str, why: str) -> None:
        assert words in self.bold, f"step {self.number} names no **{words}**"
        self.used[words] = f"not followed literally: {why}"

    def unused(self) -> list[str]:
        return [words for words in self.bold if words not in self.used]


def steps_of(path: Path) -> list[Step]:
    """The numbered list's items; a step's continuation lines are indented."""
    found: list[Step] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := STEP.match(line):
            found.append(Step(int(match.group(1)), match.group(2)))
        elif found and line.startswith("   ") and line.strip():
            found[-1].text += " " + line.strip()
        elif found and line.strip():  # the list has ended
            break
    return found


class Reader(Visitor):
    """The visitor, finding things by the words the walkthrough uses."""

    def be_named(self, first_name: str) -> None:
        def chosen():
            for person in self.driver.find_elements(By.CSS_SELECTOR, "#people [data-user]"):
                if person.text.split()[0] == first_name:
                    person.click()
                    return person.get_attribute("data-user")
            return None

        user = self.wait(chosen)
        self.wait(lambda: self._pressed(user))

    def open_named(self, name: str) -> None:
        """A conversation by its name in the sidebar: `#it-triage`, `IT Help` (the DM), `Home`."""
        wanted = name.lstrip("#").strip()

        def opened():
            for button in self.driver.find_elements(By.CSS_SELECTOR, "#conversations [data-conversation]"):
                if button.text.split(" ", 1)[-1].strip() == wanted:
                    button.click()
                    return button.get_attribute("data-conversation")
            return None

        conversation = self.wait(opened)
        self.wait(
            lambda: self.driver.find_elements(
                By.CSS_SELECTOR, f'[data-conversation="{conversation}"][aria-current="true"]'
            )
        )

    def message(self, containing: str, where: str = "messages"):
        """The last message row whose words include `containing`."""

        def find():
            rows = [
                r
                for r in self.driver.find_elements(By.CSS_SELECTOR, f"#{where} .message")
                if containing in r.text
            ]
            return rows[-1] if rows else None

        return self.wait(find)

    def press_on(self, containing: str, label: str, where: str = "messages") -> None:
        """Hover the message and press the button `label` beside it (Slack's hover menu)."""

        def pressed():
            row = self.message(containing, where)
            ActionChains(self.driver).move_to_element(row).perform()
            for button in row.find_elements(By.CSS_SELECTOR, "button"):
                if button.text.strip() == label:
                    button.click()
                    return True
            return False

        self.wait(pressed)

    def buttons_of(self, containing: str, where: str = "messages") -> list[str]:
        """The words of the message's buttons, once it has some (read again if it was redrawn)."""
        return self.wait(
            lambda: (
                [b.text for b in self.message(containing, where).find_elements(By.CSS_SELECTOR, "button.btn")]
                or None
            )
        )

    def message_text(self, containing: str) -> str:
        return self.wait(lambda: self.message(containing).text)

    def holds(self, containing: str, css: str) -> bool:
        """Whether the message has an element matching `css` (read again if it was redrawn)."""
        return self.wait(lambda: (bool(self.message(containing).find_elements(By.CSS_SELECTOR, css)),))[0]

    def open_replies(self, containing: str) -> None:
        """*N replies* under the last message with a thread whose words include `containing`."""

        def opened():
            rows = [
                r
                for r in self.driver.find_elements(By.CSS_SELECTOR, "#messages .message")
                if containing in r.text and r.find_elements(By.CSS_SELECTOR, "button.replies")
            ]
            if not rows:
                return False
            rows[-1].find_element(By.CSS_SELECTOR, "button.replies").click()
            return True

        self.wait(opened)
        self.wait(lambda: self.driver.find_element(By.ID, "thread").get_attribute("hidden") is None)

    def reply_in_thread(self, text: str) -> None:
        self.driver.find_element(By.ID, "thread-text").send_keys(text)
        self.driver.find_element(By.CSS_SELECTOR, "#thread-composer button[type=submit]").click()

    def fill_modal(self, text: str) -> None:
        box = self.wait(
            lambda: self.driver.find_elements(By.CSS_SELECTOR, "#overlay:not([hidden]) textarea")
        )[0]
        box.send_keys(text)

    def modal_closed(self) -> None:
        self.wait(lambda: self.driver.find_element(By.ID, "overlay").get_attribute("hidden") is not None)

    def text(self, where: str = "messages") -> str:
        return self.driver.find_element(By.ID, where).text


def test_the_walkthrough_has_the_steps_this_test_follows():
    steps = steps_of(WALKTHROUGH)
    assert [s.number for s in steps] == list(range(1, len(FOLLOW) + 1)), "a step was added or removed"
    assert all(s.bold for s in steps), "every step names what to press or whom to be"


def test_a_step_naming_a_button_the_page_lacks_is_caught(tmp_path):
    """The bookkeeping that makes the browser test fail on a doc's stray name."""
    doc = tmp_path / "walk.md"
    doc.write_text('Intro\n\n1. As **Bob**, press **Claim**, then **Escalate now**.\n   Done "here".\n')
    [step] = steps_of(doc)
    assert step.bold == ["Bob", "Claim", "Escalate now"] and step.quoted == ["here"]
    step.person("Bob")
    step.name("Claim")
    assert step.unused() == ["Escalate now"]


# -- each step, by its words ------------------------------------------------------------------
def step_1(page: Reader, step: Step) -> None:
    page.be_named(step.person("Alice"))
    page.open_named(step.label("IT Help"))
    page.type(step.quote("My laptop won't boot"))
    step.says("(IT has [request types](approvals.md); this is none of them)")
    page.press(step.name("Something else"))
    # "answer its two questions": the step names no answer; the test picks one of each.
    page.press("Hardware")
    page.press("P2 · High")
    page.see("T-1 is open")
    step.says("Her confirmation says when a first answer is due")
    page.see("First response")


def step_2(page: Reader, step: Step) -> None:
    page.be_named(step.person("Bob"))
    page.open_named(step.name("#it-triage"))
    page.see("My laptop won't boot")
    page.press(step.name("Claim"))
    page.see("Bob Baker")
    page.press(step.name("Waiting on requester"))
    page.fill_modal(step.quote("Which cable do you use?"))
    page.press("Ask and wait", "#modal")  # the modal's own button: the step does not name it
    page.modal_closed()
    page.see(step.says("the resolution clock is paused"))
    page.press(step.name("Details"))
    step.says("to see the whole ticket and its trail")
    page.wait(lambda: "Targets" in page.text("modal") and "Trail" in page.text("modal"))
    page.click("#modal .modal-head button")
    page.modal_closed()


def step_3(page: Reader, step: Step) -> None:
    page.be_named(step.person("Alice"))
    page.open_named("IT Help")  # her DM, where the confirmation is (step 1)
    step.label("N replies")
    page.open_replies("T-1")
    step.says("the question is there")
    page.see("Which cable do you use?", where="thread-messages")
    step.says("Answer in the thread")
    page.reply_in_thread("The USB-C one")  # the step gives no words to answer with
    page.see("The USB-C one", where="thread-messages")
    step.says("the ticket is back with Bob (he gets a DM that links to the card)")
    page.be_named("Bob")
    page.open_named("IT Help")
    page.see("The USB-C one")
    assert page.holds("The USB-C one", "a"), "a link to the card"


def step_4(page: Reader, step: Step) -> None:
    page.be_named(step.person("Bob"))
    page.open_named("#it-triage")
    page.type(step.command("/desk reply T-1 :restart"))
    page.see("Sent to")
    step.not_literal("Reply", "the step's other way of sending a saved reply; seen on the card, not pressed")
    assert "Reply" in page.buttons_of("My laptop won't boot")
    page.press(step.name("Resolve"))
    step.says("(a modal)")
    page.fill_modal("Reseated the cable; it boots again.")  # the step gives no note
    page.press("Resolve", "#modal")
    page.modal_closed()
    page.see("Resolved by")


def step_5(page: Reader, step: Step) -> None:
    page.be_named(step.person("Alice"))
    page.open_named("IT Help")
    step.says("rate the help with the buttons in her DM")
    page.see("How did we do")
    rating = page.buttons_of("How did we do")
    assert any("5 · Great" in b for b in rating), rating
    back = step.name("The problem is back", "looked for where the step says, not pressed (it reopens T-1)")
    step.says("is not beside them")
    assert not [b for b in rating if back in b], rating
    page.press("5 · Great")  # the step names no score
    page.see("Thanks! You rated T-1")
    step.says("it is in the ticket's thread (*N replies* under her confirmation)")
    page.open_replies("T-1")
    step.says("on the message saying Bob resolved T-1")
    page.wait(lambda: back in " ".join(page.buttons_of("resolved T-1", "thread-messages")))


def step_6(page: Reader, step: Step) -> None:
    # Who does it? The step says "you": the person chosen last (Alice, from step 5).
    step.not_literal("you", "emphasis: whoever is chosen raises it (Alice, after step 5)")
    page.open_named(step.name("#general"))
    step.says("hover Erin's message about the VPN")
    erin = "Is the VPN dropping"
    step.not_literal(
        "🎫", "the step's other way (the :ticket: reaction); seen beside the message, not pressed"
    )
    page.press_on(erin, step.name("Create ticket"))
    step.says("the desk asks **you**, the raiser, its two questions (area, then urgency)")
    page.open_named(step.label("IT Help"))
    step.says("in your DM with *IT Help*: answer them there to finish")
    page.see("Is the VPN dropping")
    page.press("Other")  # the step names no answers: one of each
    page.press("P3 · Normal")
    page.see("T-2 is open")
    step.says("The ticket is Erin's, raised by you")
    page.be_named("Bob")
    page.open_named("#it-triage")
    page.see("Is the VPN dropping")
    card = page.message_text("Is the VPN dropping")
    assert "Erin Eads" in card and "Alice Archer" in card, card
    page.be_named("Alice")
    page.open_named("#general")
    assert page.holds(erin, "button.react"), "the :ticket: reaction (🎫) beside her message"


def step_7(page: Reader, step: Step) -> None:
    page.be_named(step.person("Erin"))
    page.open_named(step.name("#it-help"))
    page.type(step.quote("The printer on floor 2 jams"))
    step.says("A message starting with `:mega:` is an announcement and opens nothing")
    page.see("The printer on floor 2 jams")
    page.type(":mega: The printers are serviced on Friday")  # the step gives no words after it
    page.see("The printers are serviced on Friday")
    step.says("the ticket opens at once and the desk answers in the message's thread")
    page.open_replies("The printer on floor 2 jams")
    page.see("is open", where="thread-messages")
    for select in (step.name("Urgency"), step.name("Area")):
        page.see(select, where="thread-messages")
    assert page.driver.find_elements(By.CSS_SELECTOR, "#thread-messages select")
    page.be_named(step.person("Dave"))
    page.open_named("#it-help")
    page.open_replies("The printer on floor 2 jams")
    page.reply_in_thread("Which tray do you print from?")  # the step gives no words
    page.see("Which tray do you print from?", where="thread-messages")
    step.says("the card's thread in #it-triage shows it")
    page.open_named("#it-triage")
    page.open_replies("The printer on floor 2 jams")
    page.see("replied in the requester's thread", where="thread-messages")
    # the announcement, written before all this: no card, no thread
    assert "The printers are serviced" not in page.text()
    page.open_named("#it-help")
    page.wait(
        lambda: not page.message("The printers are serviced").find_elements(By.CSS_SELECTOR, "button.replies")
    )
    page.be_named("Erin")  # step 8 does not say who writes: Erin, as here


def step_8(page: Reader, step: Step) -> None:
    # "Write in #people-help": the step does not say who; Erin, who wrote the step before.
    page.open_named(step.name("#people-help"))
    page.type("How many leave days do I have left?")
    page.see("How many leave days")
    page.type("Can I change my bank details?")
    page.see("Can I change my bank details?")
    step.says("the People team assigns its tickets to Fran and Dave in turn")
    step.says("(each gets a DM, marked *People team*, with **I'm on it**)")
    on_it = step.name("I'm on it")
    for person in ("Fran", "Dave"):
        page.be_named(step.name(person) if person in step.bold else person)
        page.open_named("IT Help")
        page.see("People team")
        page.wait(lambda: any(on_it in b for b in page.buttons_of("People team")))
    page.be_named(step.person("Fran"))
    step.not_literal("I'm away", "the step's other way; seen on her Home, not pressed")
    page.open_named("Home")
    page.button("I'm away")  # there, not pressed
    page.open_named("IT Help")
    page.type(step.command("/desk away 2h"))
    page.open_named("Home")
    page.see("You're away until")
    step.says("the next ones go to Dave until she is `/desk back`")
    page.be_named("Erin")
    page.open_named("#people-help")
    page.type("My payslip is missing")
    page.be_named("Dave")
    page.open_named("IT Help")
    page.see("My payslip is missing")
    page.be_named("Fran")
    page.open_named("IT Help")
    assert "My payslip is missing" not in page.text()


def step_9(page: Reader, step: Step) -> None:
    page.be_named(step.person("Carol"))
    page.open_named("IT Help")
    page.type(step.command("/desk quality"))
    page.see("Quality · last 7 days")
    page.clock(step.name("+1h"))
    step.says("escalations arrive in #it-triage, #people-triage and Carol's DM")
    for channel, ticket in (("#it-triage", "Is the VPN dropping"), ("#people-triage", "leave days")):
        page.open_named(channel)
        page.see(ticket)
        page.wait(lambda: "is at risk" in page.text() and "missed its" in page.text(), 60)
    page.open_named("IT Help")
    step.says("*assigned to Fran, not yet taken up* is told apart from *unclaimed*")
    page.wait(lambda: "Fran Fisher, who has not taken it up yet" in page.text(), 60)
    step.says("**+1d** brings the daily digest of the day you made the tickets, at 09:00 the next morning")
    step.says("press it twice if you began before 09:00")
    plus_a_day = step.name("+1d")
    page.clock(plus_a_day)
    try:  # the day's jobs run as the clock passes them: the digest comes once 09:00 is passed
        page.wait(lambda: "Daily digest · IT" in page.text(), 60)
    except TimeoutException:  # began before 09:00: the morning after is a day further
        page.clock(plus_a_day)
        page.wait(lambda: "Daily digest · IT" in page.text(), 120)
    digest = page.text().split("Daily digest · IT")[-1].split("Daily digest · People")[0]
    # IT's tickets of that day: T-1 to T-3 (all three, unless the test ran across midnight)
    assert re.search(r"Opened\n[123]\b", digest), digest


def _fill_access_form(page: Reader, manager: str, why: str) -> None:
    """The "Access to a system" form (the sandbox's): which system, why, and the manager by name."""
    driver = page.driver
    page.wait(
        lambda: driver.find_elements(By.CSS_SELECTOR, '#overlay:not([hidden]) [data-block-id="field_system"]')
    )
    Select(
        driver.find_element(By.CSS_SELECTOR, '#modal select[data-block-id="field_system"]')
    ).select_by_value("VPN")
    driver.find_element(By.CSS_SELECTOR, '#modal [data-block-id="field_reason"]').send_keys(why)
    people = Select(driver.find_element(By.CSS_SELECTOR, '#modal select[data-block-id="field_manager"]'))
    [named] = [o for o in people.options if o.text.split()[:1] == [manager]]
    people.select_by_value(named.get_attribute("value"))
    page.press("Send for approval", "#modal")  # the form's own button: the step does not name it
    page.modal_closed()


def step_10(page: Reader, step: Step) -> None:
    page.be_named(step.person("Alice"))
    page.open_named(step.label("IT Help"))
    page.type(step.quote("I need the VPN for the month-end close"))
    page.press(step.name("Access to a system"))
    step.says("its form opens (which system, why, your manager: pick **Erin**)")
    _fill_access_form(page, step.name("Erin"), "Closing the books from home")  # no words given for "why"
    step.says("Alice's message now reads *R-… is waiting for approval*")
    page.see("is waiting for approval")
    assert re.search(r"R-[0-9A-F]{6}", page.text()), page.text()
    step.says("As **Carol**, press **Approve** in her DM; as **Erin**, the same")
    for approver in (step.person("Carol"), "Erin"):
        page.be_named(approver)
        page.open_named("IT Help")
        page.see("Your approval is asked")
        page.press(step.name("Approve"), exactly=True)  # not "Approve with a note"
        page.see("You approved this request")
    step.says("the request opens as a ticket with its fields on the card, and Alice's message says which")
    page.be_named("Bob")  # an agent: #it-triage is the IT agents' and leads' channel
    page.open_named("#it-triage")
    page.see("Which system? VPN")
    page.be_named("Alice")
    page.open_named("IT Help")
    page.see("was approved: it is T-")
    step.says("Raise another and, as Carol, press **Deny** and give a reason")
    page.type("I need the VPN once more")  # the step gives no words for the second one
    page.press("Access to a system")
    _fill_access_form(page, "Erin", "Working from the train")
    page.see("I need the VPN once more")
    page.be_named("Carol")
    page.open_named("IT Help")
    page.wait(lambda: "I need the VPN once more" in page.text())
    page.press(step.name("Deny"), exactly=True)
    page.fill_modal("You already have it from the last request")
    page.press("Deny", "#modal", exactly=True)
    page.modal_closed()
    page.see("You denied this request")
    step.says("Alice is told why, and no ticket opens")
    page.be_named("Alice")
    page.open_named("IT Help")
    page.see("You already have it from the last request")
    page.be_named("Carol")
    page.open_named("#it-triage")
    assert "I need the VPN once more" not in page.text()


FOLLOW = [step_1, step_2, step_3, step_4, step_5, step_6, step_7, step_8, step_9, step_10]


def test_the_walkthrough_followed_by_its_words(sandbox, browser):  # noqa: F811 - fixtures
    url, folder = sandbox
    browser.get(url)
    page = Reader(browser, folder)
    steps = steps_of(WALKTHROUGH)
    assert len(steps) == len(FOLLOW)
    notes = []
    for step, follow in zip(steps, FOLLOW, strict=True):
        follow(page, step)
        page.shot(f"walkthrough-step-{step.number}")
        assert step.unused() == [], f"step {step.number} names {step.unused()}, which the test did not find"
        notes += [
            f"step {step.number}: **{words}** {how}" for words, how in step.used.items() if "not" in how
        ]
    print("\n".join(notes))
