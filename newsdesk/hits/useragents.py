"""Reduce a User-Agent to a device class and a browser family; the full string is not kept."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ua_parser
from ua_parser import basic, loaders

from newsdesk.hits.models import Device

TABLET_WORDS = ("ipad", "tablet", "kindle", "silk", "playbook", "nexus 7", "nexus 9", "nexus 10")
MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS"}


@dataclass(frozen=True)
class Agent:
    """What is kept of a User-Agent."""

    device: Device
    browser: str


def _device(user_agent: str, result: ua_parser.DefaultedResult) -> Device:
    lowered = user_agent.lower()
    device_family = (result.device.family if result.device else "").lower()
    brand = (result.device.brand if result.device and result.device.brand else "").lower()
    if any(word in lowered or word in device_family for word in TABLET_WORDS) or "tablet" in brand:
        return Device.TABLET
    os_family = result.os.family if result.os else ""
    if os_family == "Android" and "mobile" not in lowered:
        # Android tablets drop "Mobile" from their User-Agent (Chrome's documented convention).
        return Device.TABLET
    if os_family in MOBILE_OS or "mobile" in lowered:
        return Device.MOBILE
    return Device.DESKTOP


@lru_cache(maxsize=1)
def _parser() -> ua_parser.Parser:
    """Return the pure-Python parser over lazily compiled built-in rules.

    ua-parser's default (a Rust regex set over every rule) holds about 25 MB in
    each web worker; this one about 6 MB, and is slower only on a User-Agent not
    seen lately, which ``describe_user_agent``'s cache answers anyway.
    """
    return ua_parser.Parser(basic.Resolver(loaders.load_lazy_builtins()))


@lru_cache(maxsize=4096)
def describe_user_agent(user_agent: str) -> Agent:
    """Return the device class and browser family of a User-Agent."""
    result = _parser().parse(user_agent).with_defaults()
    browser = result.user_agent.family if result.user_agent else "Other"
    return Agent(device=_device(user_agent, result), browser=browser[:64])
