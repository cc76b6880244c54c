"""Simulated readers for the demo: real HTTP requests through the real counting path."""

from __future__ import annotations

import logging
import random
import re
import threading
import time

import httpx

logger = logging.getLogger(__name__)

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
)
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
)
REFERRERS = (
    "",
    "",
    "https://news.ycombinator.com/",
    "https://www.reddit.com/r/news/",
    "https://duckduckgo.com/",
)
ARTICLE_LINK = re.compile(r'href="(/article/\d+/[^"]*)"')


def simulate_readers(base_url: str, readers: int = 40, seed: int = 7) -> tuple[int, int]:
    """Send a burst of page views from browser and bot User-Agents; return (human, bot) sent."""
    rng = random.Random(seed)
    humans = bots = 0
    with httpx.Client(base_url=base_url, timeout=10) as client:
        home = client.get("/")
        links = sorted(set(ARTICLE_LINK.findall(home.text)))
        if not links:
            return 0, 0
        for number in range(readers):
            # Every reader comes from 127.0.0.1, and a visitor is the hash of address and
            # browser, so each simulated reader gets its own browser build number.
            headers = {
                "User-Agent": f"{rng.choice(BROWSERS)}.{number}",
                "Referer": rng.choice(REFERRERS),
            }
            for path in rng.sample(links, k=min(len(links), rng.randint(1, 4))):
                client.get(path, headers=headers)
                humans += 1
        for bot in BOTS:
            for path in links[:5]:
                client.get(path, headers={"User-Agent": bot})
                bots += 1
    return humans, bots


def start_reader_burst(base_url: str, announce: bool = True) -> threading.Thread:
    """Wait for the server, then run one burst in the background."""

    def run() -> None:
        for _ in range(50):
            try:
                httpx.get(base_url + "/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        try:
            humans, bots = simulate_readers(base_url)
        except httpx.HTTPError:
            return  # the site was stopped during the burst
        if announce:
            print(
                f"Demo: sent {humans} simulated reader page views and {bots} bot requests "
                "through the hit tracker (bots are filtered, not counted).",
                flush=True,
            )

    thread = threading.Thread(target=run, name="demo-readers", daemon=True)
    thread.start()
    return thread
