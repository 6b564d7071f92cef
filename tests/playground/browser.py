"""The playground as a process and a headless Chromium looking at its page.

Chromium comes from Debian's ``chromium`` and ``chromium-driver`` packages; Selenium is
pointed at that driver, so nothing is downloaded. Without them the browser tests skip, unless
``CI`` is set: there they must run.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from tests.support.processes import bot_command

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "playground"
WITHIN = 90.0
"""Seconds any page condition may take: the bot paces each chat at one message a second, the
staff chat at twenty a minute, and the machine is shared."""
START_WITHIN = 120.0
ADDRESS = re.compile(r"Playground: (http://127\.0\.0\.1:\d+/)")
T = TypeVar("T")


def require_browser() -> None:
    """Skip without Chromium and its driver, except in CI, where that is a failure."""
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    message = f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def playground_environment() -> dict[str, str]:
    """This process's environment less every setting naming a platform, database or ILS."""
    dropped = ("TELEGRAM_", "VK_", "STAFF_", "DATABASE_URL", "REDIS_URL", "ILS_", "KOHA_", "SIP2_")
    kept = {k: v for k, v in os.environ.items() if not k.upper().startswith(dropped)}
    return kept | {"LOG_LEVEL": "WARNING"}


@contextmanager
def running_playground(workdir: Path) -> Iterator[str]:
    """``python -m bot playground`` on a free port in ``workdir``; yields the page's address."""
    log = (workdir / "playground.log").open("w")
    process = subprocess.Popen(
        bot_command("playground", "--port", "0"),
        cwd=workdir,
        env=playground_environment(),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        try:
            first = lines.get(timeout=START_WITHIN)
        except queue.Empty:
            raise AssertionError("the playground printed no address") from None
        found = ADDRESS.search(first)
        assert found, (
            f"unexpected first line {first!r}; log: {(workdir / 'playground.log').read_text()}"
        )
        yield found.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stdout.close()
        log.close()


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def until(driver: WebDriver, condition: Callable[[WebDriver], T | None], what: str) -> T:
    """Wait for a DOM condition (redrawn elements are looked up again), never for a time."""
    wait = WebDriverWait(driver, WITHIN, ignored_exceptions=(StaleElementReferenceException,))
    result: Any = wait.until(lambda d: condition(d) or None, message=what)
    return result  # type: ignore[no-any-return]


def click(driver: WebDriver, selector: str, what: str) -> None:
    """Click the last element matching ``selector`` once there is one; an element redrawn
    between finding and clicking is looked up again."""

    def clicked(d: WebDriver) -> bool:
        found = d.find_elements(By.CSS_SELECTOR, selector)
        if not found:
            return False
        found[-1].click()
        return True

    until(driver, clicked, what)


def payload_selector(within: str, payload: str) -> str:
    """Buttons in ``within`` sending ``payload``: Telegram's callback data as is, or VK's JSON
    holding it."""
    return (
        f"{within} button[data-payload='{payload}'], {within} button[data-payload*='\"{payload}\"']"
    )


def texts(driver: WebDriver, selector: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def last(elements: list[WebElement]) -> WebElement | None:
    return elements[-1] if elements else None
