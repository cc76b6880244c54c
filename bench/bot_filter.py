"""How well the User-Agent filter keeps bots out and readers in, on lists it was not tuned on.

Two public lists, installed as packages (``pip install -e '.[test]'``):

* crawler-user-agents (MIT): crawler patterns, each with real User-Agent instances;
* fake-useragent (Apache-2.0): real browser User-Agents with their share of traffic.

Each is split in two by a hash: a development part the rules were written against
and a held-back part never looked at while writing them. Crawlers are split by
pattern (a crawler family is in one part only), browsers by string. Reported:
the share of held-back crawler instances counted as readers (crawlerdetect alone
and with our rules), and every real browser User-Agent that is filtered.

    python -m bench.bot_filter          # writes bench/results/bot_filter.json
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

HELD_BACK_SHARE = 3  # one part in three is held back


@dataclass(frozen=True)
class AgentSets:
    """Crawler and browser User-Agents, each split into development and held-back parts."""

    crawlers_dev: list[str]
    crawlers_held: list[str]
    browsers_dev: list[str]
    browsers_held: list[str]


def held_back(key: str) -> bool:
    """Tell whether ``key`` belongs to the held-back part (a stable hash, not chance)."""
    return hashlib.sha256(key.encode()).digest()[0] % HELD_BACK_SHARE == 0


def load_sets() -> AgentSets:
    """Read both packages' lists and split them."""
    raw = resources.files("crawleruseragents").joinpath("crawler-user-agents.json").read_text()
    dev: list[str] = []
    held: list[str] = []
    for entry in json.loads(raw):
        for instance in entry.get("instances", []):
            (held if held_back(entry["pattern"]) else dev).append(instance)
    lines = resources.files("fake_useragent").joinpath("data/browsers.jsonl").read_text()
    browsers = sorted({json.loads(line)["useragent"] for line in lines.splitlines() if line})
    return AgentSets(
        crawlers_dev=dev,
        crawlers_held=held,
        browsers_dev=[ua for ua in browsers if not held_back(ua)],
        browsers_held=[ua for ua in browsers if held_back(ua)],
    )


def counted_as_readers(agents: list[str], *, rules: bool = True) -> list[str]:
    """Return the agents a page request would count as a reader."""
    from crawlerdetect import CrawlerDetect

    from newsdesk.hits.classify import classify

    if rules:
        return [ua for ua in agents if classify("GET", {"User-Agent": ua}).human]
    detector = CrawlerDetect()
    return [ua for ua in agents if not detector.isCrawler(ua)]


def share(part: list[str], whole: list[str]) -> float:
    return round(100 * len(part) / len(whole), 2) if whole else 0.0


def evaluate(sets: AgentSets) -> dict[str, Any]:
    """Measure both figures on both parts."""
    started = time.perf_counter()
    missed_held = counted_as_readers(sets.crawlers_held)
    seconds = time.perf_counter() - started
    browsers = sets.browsers_dev + sets.browsers_held
    lost = sorted(set(browsers) - set(counted_as_readers(browsers)))
    return {
        "crawler_instances": {
            "development": len(sets.crawlers_dev),
            "held_back": len(sets.crawlers_held),
        },
        "browser_agents": {
            "development": len(sets.browsers_dev),
            "held_back": len(sets.browsers_held),
        },
        "held_back_crawlers_counted_pct": share(missed_held, sets.crawlers_held),
        "held_back_crawlers_counted_pct_crawlerdetect_only": share(
            counted_as_readers(sets.crawlers_held, rules=False), sets.crawlers_held
        ),
        "development_crawlers_counted_pct": share(
            counted_as_readers(sets.crawlers_dev), sets.crawlers_dev
        ),
        "browsers_lost": len(lost),
        "browsers_lost_agents": lost,
        "held_back_crawlers_still_counted": missed_held,
        "classify_us_per_agent_uncached": round(1e6 * seconds / max(1, len(sets.crawlers_held)), 1),
        "target": {"held_back_crawlers_counted_pct_below": 3.0, "browsers_lost": 0},
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.common import write_result

    result = evaluate(load_sets())
    path = write_result("bot_filter", result)
    print(f"full result with the agents: {path}", file=sys.stderr)
    # The last line is the figures alone, for `python -m bench` to collect.
    print(json.dumps({k: v for k, v in result.items() if not isinstance(v, list)}))


if __name__ == "__main__":
    main()
