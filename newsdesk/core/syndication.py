"""Feed generators that never fail on stored text.

Django's XML writer refuses control characters (UnserializableContentError,
"Control characters are not supported in XML 1.0"), so one stored article or
comment carrying one would turn a whole feed into a server error. These
generators pass every string through clean_text on the way in; ingest
already cleans what it stores, and this keeps the output safe for anything
stored before that, or by another path.
"""

from __future__ import annotations

from typing import Any

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from newsdesk.core.text import clean_text


def xml_safe(value: Any) -> Any:
    """Return ``value`` with clean_text applied to every string in it."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    return value


class _XmlSafe:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*xml_safe(args), **xml_safe(kwargs))

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*xml_safe(args), **xml_safe(kwargs))  # type: ignore[misc]


class XmlSafeRssFeed(_XmlSafe, Rss201rev2Feed):
    """RSS 2.0 that drops characters XML 1.0 cannot carry."""


class XmlSafeAtomFeed(_XmlSafe, Atom1Feed):
    """Atom 1.0 that drops characters XML 1.0 cannot carry."""
