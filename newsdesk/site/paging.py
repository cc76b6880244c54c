"""Pages of long listings without counting them.

Django's ``Paginator`` counts the whole listing on every page; over a million
articles, one card per story, that count costs more than the page. This one
looks a few pages ahead instead: it reads the ids of the page and of the next
``LOOKAHEAD`` pages (one more row says that still more follow), so every page
number it links to exists, and "Older" shows while older rows do. The ids come
first and the rows after (a "deferred join"): skipping to page 500 walks an
index of narrow rows, and only the page's own rows are read whole.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

LOOKAHEAD = 2


class OrderedListing(Protocol):
    """A listing in its own order, read as ids first (site.queries.ListedIds, SpreadListing)."""

    def ids(self, start: int, stop: int) -> list[int]: ...

    def rows(self, ids: list[int]) -> list[Any]: ...


class LookaheadPaginator(Paginator):
    """A ``Paginator`` whose ``count`` is the rows known so far, never a full count."""

    def __init__(self, object_list: OrderedListing, per_page: int) -> None:
        # The base class only keeps object_list; this class reads ``listing`` itself.
        super().__init__([], per_page, allow_empty_first_page=True)
        self.object_list = object_list  # type: ignore[assignment]
        self.listing = object_list
        self.known = 0

    def validate_number(self, number: Any) -> int:
        """Check that ``number`` is a page number (whether it exists is known on reading)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number: Any) -> Page:
        """Return page ``number``; a page past the last one is an ``EmptyPage``."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        window = self.per_page * (1 + LOOKAHEAD) + 1
        ids = self.listing.ids(bottom, bottom + window)
        if not ids and number > 1:
            raise EmptyPage("That page contains no results")
        self.known = bottom + len(ids)
        shown = ids[: self.per_page]
        return Page(self.listing.rows(shown), number, self)

    @property
    def count(self) -> int:
        """Return the rows known after reading a page: exact on the last pages only."""
        return self.known

    @property
    def num_pages(self) -> int:
        """Return the pages known to exist (up to ``LOOKAHEAD`` past the current one, and one)."""
        return max(1, math.ceil(self.known / self.per_page))
