"""The playground's page in headless Chromium: readers on both platforms file requests,
staff take and answer them, a digest reaches the channel and the wall, and hostile text stays
text. Screenshots go to test-artifacts/playground/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from tests.playground.browser import (
    chromium,
    click,
    payload_selector,
    require_browser,
    running_playground,
    screenshot,
    texts,
    until,
)

TICKET = re.compile(r"№\s?(\d+)")
TAKEN = "Исполнитель: Мария Библиографова"
"""What the card says once the first staff member on the page has taken it."""
BOT_MESSAGES = "#reader-messages .msg.out"
HOSTILE = (
    "<script>window.__pwned = 1; alert(1)</script>"
    '<img src=x onerror="window.__pwned = 2"><b>жирный</b>'
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    require_browser()
    workdir = tmp_path_factory.mktemp("playground")
    with running_playground(workdir) as address, chromium(workdir / "profile") as driver:
        driver.get(address)
        until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#reader-tabs button"), "tabs")
        yield driver


class Reader:
    """One sample reader on the page: everything goes through clicks and typing."""

    def __init__(self, driver: WebDriver, key: str) -> None:
        self.driver = driver
        self.key = key

    def choose(self) -> None:
        click(self.driver, f"#reader-tabs button[data-key='{self.key}']", self.key)
        until(
            self.driver,
            lambda d: d.find_elements(
                By.CSS_SELECTOR, f"#reader-tabs button.active[data-key='{self.key}']"
            ),
            f"{self.key} chosen",
        )

    def _answers(self) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, BOT_MESSAGES))

    def _after(self, before: int) -> str:
        def newest(d: WebDriver) -> str | None:
            shown = texts(d, f"{BOT_MESSAGES} .text")
            return shown[-1] if len(shown) > before else None

        return until(self.driver, newest, "the bot's answer")

    def start(self) -> str:
        before = self._answers()
        self.driver.find_element(By.ID, "reader-start").click()
        return self._after(before)

    def say(self, text: str) -> str:
        before = self._answers()
        field = self.driver.find_element(By.ID, "reader-input")
        field.send_keys(text)
        self.driver.find_element(By.ID, "reader-send").click()
        return self._after(before)

    def press(self, payload: str) -> str:
        before = self._answers()
        selector = payload_selector("#reader-messages", payload)
        click(self.driver, selector, f"a button sending {payload}")
        return self._after(before)

    def sees(self, fragment: str) -> None:
        until(
            self.driver,
            lambda d: any(fragment in t for t in texts(d, f"{BOT_MESSAGES} .text")),
            f"{fragment!r} in the reader's chat",
        )


def file_thematic_request(reader: Reader) -> int:
    reader.choose()
    reader.start()
    reader.press("consent:yes")
    reader.press("menu:ask")
    reader.press("ask:thematic")
    reader.say("Хроническая сердечная недостаточность у пожилых")
    reader.press("form:thematic:purpose:pick:clinical")
    reader.say("2019–2024")
    reader.press("form:thematic:languages:pick:ru_en")
    reader.say("обзоры, клинические рекомендации")
    reader.say("5")
    reader.press("form:thematic:files:skip")
    accepted = reader.press("form:thematic:confirm:send")
    found = TICKET.search(accepted)
    assert found, accepted
    return int(found.group(1))


def staff_take_and_answer(driver: WebDriver, number: int, answer: str) -> None:
    take = payload_selector("#staff-topics", f"st:take:{number}")
    thread = until(
        driver,
        lambda d: [
            b.find_element(By.XPATH, "ancestor::section[@data-thread]").get_attribute("data-thread")
            for b in d.find_elements(By.CSS_SELECTOR, take)
        ],
        "the card's Take",
    )[0]
    topic = f"#staff-topics section[data-thread='{thread}']"
    click(driver, payload_selector(topic, f"st:take:{number}"), "Take")
    until(
        driver,
        lambda d: any(TAKEN in t for t in texts(d, f"{topic} .msg .text")),
        "the card showing who took it",
    )
    until(
        driver,
        lambda d: f"№{number}" in d.find_element(By.ID, "staff-pop-up").text,
        "the pop-up answer to Take",
    )
    driver.find_element(By.CSS_SELECTOR, f"{topic} input").send_keys(answer)
    driver.find_element(By.CSS_SELECTOR, f"{topic} button.send").click()
    until(
        driver,
        lambda d: any(answer in t for t in texts(d, f"{topic} .msg .text")),
        "the answer in the topic",
    )


@pytest.mark.parametrize(("key", "name"), [("tg-anna", "telegram"), ("vk-olga", "vk")])
def test_a_reader_files_a_request_and_gets_the_staff_answer(
    page: WebDriver, key: str, name: str
) -> None:
    reader = Reader(page, key)
    number = file_thematic_request(reader)
    screenshot(page, f"{name}-request-filed")
    answer = f"Подборка по запросу {number}: 5 обзоров и рекомендации ({name})"
    staff_take_and_answer(page, number, answer)
    screenshot(page, f"{name}-staff-answered")
    reader.choose()
    reader.sees(answer)
    screenshot(page, f"{name}-reader-got-answer")


def test_run_digest_now_posts_to_the_channel_and_the_wall(page: WebDriver) -> None:
    page.find_element(By.ID, "load-arrivals").click()
    until(page, lambda d: any("arrivals.csv" in t for t in texts(d, "#notices li")), "import")
    page.find_element(By.ID, "run-digest").click()
    until(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#channel .msg"), "a channel post")
    until(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall .msg"), "a wall post")
    assert any("Кардиология" in t for t in texts(page, "#channel .msg .text"))
    screenshot(page, "digest-posted")


def test_hostile_text_is_shown_as_text_and_runs_nothing(page: WebDriver) -> None:
    reader = Reader(page, "tg-john")
    reader.choose()
    reader.start()
    reader.say(HOSTILE)
    until(
        page,
        lambda d: HOSTILE in texts(d, "#reader-messages .msg.in .text"),
        "the text shown literally",
    )
    assert page.execute_script("return window.__pwned === undefined") is True
    assert (
        page.find_elements(By.CSS_SELECTOR, "#reader-messages img, #reader-messages script") == []
    )
    assert page.find_elements(By.CSS_SELECTOR, "#reader-messages b") == []
    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert.text  # noqa: B018 - reading it is what raises without an alert
    screenshot(page, "hostile-text-inert")


def test_the_page_fits_a_phone_screen(page: WebDriver) -> None:
    page.set_window_size(390, 844)
    try:
        until(
            page,
            lambda d: d.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"
            ),
            "no horizontal scrolling",
        )
        screenshot(page, "phone")
    finally:
        page.set_window_size(1400, 1000)


@pytest.mark.parametrize("key", ["tg-john", "vk-emily"])
def test_a_reader_attaches_a_photo(page: WebDriver, key: str) -> None:
    reader = Reader(page, key)
    reader.choose()
    Select(page.find_element(By.ID, "reader-attachment")).select_by_value("photo")
    reader.say("скан титульного листа")
    until(
        page,
        lambda d: any("photo" in t for t in texts(d, "#reader-messages .msg.in .files")),
        "the photo in the reader's message",
    )
