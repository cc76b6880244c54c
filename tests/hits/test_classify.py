"""The bot/human verdict and what is kept of a User-Agent (no database needed)."""

from __future__ import annotations

import pytest

from newsdesk.hits.classify import classify
from newsdesk.hits.models import Device, FilterReason
from newsdesk.hits.useragents import describe_user_agent
from tests.hits import agents


@pytest.mark.parametrize("user_agent", agents.CRAWLERS)
def test_crawlers_are_filtered_as_crawlers(user_agent: str) -> None:
    """Known crawlers, link unfurlers and HTTP libraries are not readers."""
    verdict = classify("GET", {"User-Agent": user_agent})
    assert not verdict.human
    assert verdict.reason == FilterReason.CRAWLER


@pytest.mark.parametrize("user_agent", agents.HEADLESS)
def test_headless_browsers_are_filtered_as_headless(user_agent: str) -> None:
    """Automation browsers get the more specific reason, not "crawler"."""
    verdict = classify("GET", {"User-Agent": user_agent})
    assert (verdict.human, verdict.reason) == (False, FilterReason.HEADLESS)


@pytest.mark.parametrize(
    ("user_agent", "device", "browser"),
    [
        (agents.CHROME_WINDOWS, Device.DESKTOP, "Chrome"),
        (agents.FIREFOX_LINUX, Device.DESKTOP, "Firefox"),
        (agents.SAFARI_MAC, Device.DESKTOP, "Safari"),
        (agents.SAFARI_IPHONE, Device.MOBILE, "Mobile Safari"),
        (agents.SAFARI_IPAD, Device.TABLET, "Mobile Safari"),
        (agents.CHROME_ANDROID_PHONE, Device.MOBILE, "Chrome Mobile"),
        (agents.CHROME_ANDROID_TABLET, Device.TABLET, "Chrome"),
        (agents.SAMSUNG_INTERNET, Device.MOBILE, "Samsung Internet"),
        (agents.EDGE_WINDOWS, Device.DESKTOP, "Edge"),
    ],
)
def test_browsers_are_readers_with_device_and_family(
    user_agent: str, device: Device, browser: str
) -> None:
    """Real browsers count, reduced to a device class and a browser family."""
    assert classify("GET", {"User-Agent": user_agent}).human
    agent = describe_user_agent(user_agent)
    assert (agent.device, agent.browser) == (device, browser)


@pytest.mark.parametrize(
    ("method", "headers", "reason"),
    [
        ("GET", {}, FilterReason.NO_USER_AGENT),
        ("GET", {"User-Agent": "   "}, FilterReason.NO_USER_AGENT),
        ("HEAD", {"User-Agent": agents.CHROME_WINDOWS}, FilterReason.HEAD),
        ("GET", {"User-Agent": agents.CHROME_WINDOWS, "Sec-Purpose": "prefetch"}, "prefetch"),
        (
            "GET",
            {"User-Agent": agents.CHROME_WINDOWS, "Sec-Purpose": "prefetch;prerender"},
            FilterReason.PREFETCH,
        ),
        ("GET", {"User-Agent": agents.CHROME_WINDOWS, "Purpose": "prefetch"}, "prefetch"),
        ("GET", {"User-Agent": agents.FIREFOX_LINUX, "X-Moz": "prefetch"}, "prefetch"),
        ("GET", {"User-Agent": agents.SAFARI_MAC, "X-Purpose": "preview"}, "prefetch"),
        ("HEAD", {"User-Agent": agents.GOOGLEBOT}, FilterReason.HEAD),
    ],
)
def test_request_shapes_that_are_not_views(
    method: str, headers: dict[str, str], reason: str
) -> None:
    """No User-Agent, HEAD and speculative fetches are filtered with their reason."""
    verdict = classify(method, headers)
    assert (verdict.human, verdict.reason) == (False, reason)


def test_unknown_agent_is_a_desktop_reader_of_other_browser() -> None:
    """An unrecognised browser that names an engine counts, as "Other" on desktop."""
    future = "Mozilla/5.0 (FutureOS) AppleWebKit/537.36 (KHTML, like Gecko) NewBrowser/1.0"
    assert classify("GET", {"User-Agent": future}).human
    assert describe_user_agent(future).browser == "Other"


def test_an_agent_naming_no_engine_is_not_a_reader() -> None:
    """Without AppleWebKit, Gecko, Trident or Presto it is a program, not a browser."""
    verdict = classify("GET", {"User-Agent": "Mozilla/5.0 (FutureOS) NewBrowser/1.0"})
    assert (verdict.human, verdict.reason) == (False, FilterReason.NO_ENGINE)
