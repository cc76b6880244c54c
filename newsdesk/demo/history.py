"""A week of simulated readers for the demo, recorded through the hit tracker's real path.

Each simulated reader is a request built with its own documentation-range
address (RFC 5737) and browser User-Agent; ``record_view`` classifies it,
turns it into the day's visitor id (a keyed hash: no address is stored) and
queues it; ``flush_now`` stores the batch and its rollups as the flusher
would. Crawler User-Agents are sent too, and are filtered as in real life.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.urls import resolve

from newsdesk.demo.readers import BOTS, BROWSERS, REFERRERS
from newsdesk.hits.recorder import Page, flush_now, page_for, record_view

# Three documentation networks (RFC 5737): never anyone's real address.
NETWORKS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
# Relative weight of each UTC hour: quiet nights, a morning and an evening peak.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 7, 9, 8, 7, 7, 8, 7, 6, 6, 7, 8, 9, 9, 7, 5, 3, 2)


@dataclass(frozen=True)
class History:
    """What the simulation sent: reader page views, bot requests, distinct readers, days."""

    views: int
    bots: int
    readers: int
    days: int


def addresses() -> Iterator[str]:
    """Yield the documentation addresses, one per simulated reader of a day."""
    for network in NETWORKS:
        for host in ipaddress.ip_network(network).hosts():
            yield str(host)


def simulated_request(
    path: str, host: str, address: str, user_agent: str, referrer: str
) -> HttpRequest:
    """Build the request a reader at ``address`` would send for ``path``."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {
        "REMOTE_ADDR": address,
        "HTTP_HOST": host,
        "HTTP_USER_AGENT": user_agent,
        "HTTP_ACCEPT": "text/html",
        "HTTP_REFERER": referrer,
        "SERVER_NAME": host.rsplit(":", 1)[0],
        "SERVER_PORT": host.rsplit(":", 1)[-1],
    }
    return request


def countable_page(path: str) -> Page:
    """Return the countable page of a site path (a path the site does not count is a bug)."""
    page = page_for(resolve(path), path)
    if page is None:
        raise ValueError(f"not a counted page: {path}")
    return page


def reading_times(
    rng: random.Random, day_start: datetime, now: datetime, readers: int
) -> list[datetime]:
    """Spread a day's readers over its hours by HOUR_WEIGHTS, never after ``now``."""
    hours = [h for h in range(24) if day_start + timedelta(hours=h) < now]
    if not hours:
        return []
    weights = [HOUR_WEIGHTS[h] for h in hours]
    times = []
    for hour in rng.choices(hours, weights=weights, k=readers):
        when = day_start + timedelta(hours=hour, seconds=rng.randrange(3600))
        times.append(min(when, now - timedelta(seconds=1)))
    return sorted(times)


def simulate_history(
    host: str,
    article_paths: Sequence[str],
    list_paths: Sequence[str],
    now: datetime,
    *,
    days: int = 7,
    seed: int = 11,
) -> History:
    """Record ``days`` days of simulated readers up to ``now``, then store them."""
    rng = random.Random(seed)
    # A few articles draw most readers, as on any news site (Zipf-like weights).
    popular = list(article_paths)
    rng.shuffle(popular)
    weights = [1 / (rank + 1) for rank in range(len(popular))]
    views = bots = readers = 0
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days - 1, -1, -1):
        day_start = today - timedelta(days=back)
        day_end = day_start + timedelta(days=1, microseconds=-1)
        pool = addresses()
        for when in reading_times(rng, day_start, now, rng.randint(35, 80)):
            # A handful of builds per browser, as real traffic repeats its User-Agents;
            # each distinct one costs the cold demo a few ms in ua-parser's resolver.
            agent = f"{rng.choice(BROWSERS)}.{rng.randrange(8)}"
            address, referrer = next(pool), rng.choice(REFERRERS)
            paths = [rng.choice(list_paths)] if rng.random() < 0.5 else []
            paths += rng.choices(popular, weights=weights, k=rng.randint(1, 3))
            for offset, path in enumerate(paths):
                request = simulated_request(path, host, address, agent, referrer)
                # One reader, one day: a visit started just before midnight stays in it.
                at = min(when + timedelta(seconds=40 * offset), now, day_end)
                views += record_view(request, countable_page(path), when=at)
            readers += 1
        for path in rng.sample(popular, k=min(len(popular), 6)):
            request = simulated_request(path, host, "192.0.2.1", rng.choice(BOTS), "")
            record_view(
                request, countable_page(path), when=min(day_start + timedelta(hours=3), now)
            )
            bots += 1
    flush_now()
    return History(views=views, bots=bots, readers=readers, days=days)
