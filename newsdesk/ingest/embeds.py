"""Turn embedded posts and players into small linked quote blocks before extraction.

A tweet embed is a ``<blockquote class="twitter-tweet">`` whose script, once run,
draws the post with "Reply Retweet Favorite" buttons; an extractor that keeps the
script's fallback keeps that UI text, and one that drops iframes loses YouTube
videos without a trace. Each known embed is replaced in the page, before the
extractor sees it, by a plain paragraph holding the post's own words (if
it has any) and a marker word; the extracted body recognises the block by that
marker and renders it as a quote with one link to the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement, fromstring

from newsdesk.core.text import plain_text

_SPACES = re.compile(r"\s+")
EMBED_MARKER = re.compile(r"ndemb(\d+)x")
_YOUTUBE_ID = re.compile(r"/(?:embed|v)/([\w-]{6,})")
_AUTHOR = re.compile(r"(?:shared by|—|-)\s*([^(@]{2,60}?)\s*\(@?([\w.]{1,40})\)")

# iframe host -> the name a reader knows it by.
_PLAYERS = {
    "youtube.com": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "dailymotion.com": "Dailymotion",
    "twitter.com": "X (Twitter)",
    "x.com": "X (Twitter)",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "tiktok.com": "TikTok",
    "spotify.com": "Spotify",
    "soundcloud.com": "SoundCloud",
}


@dataclass(frozen=True)
class Embed:
    """One embedded post or player: where it lives and what it says."""

    platform: str
    url: str
    text: str = ""
    author: str = ""

    @property
    def label(self) -> str:
        who = f" by {self.author}" if self.author else ""
        kind = "video" if self.platform in {"YouTube", "Vimeo", "Dailymotion"} else "post"
        return f"{self.platform} {kind}{who}"


def replace_embeds(tree: HtmlElement) -> list[Embed]:
    """Replace the page's embeds in place with a paragraph naming them; return them."""
    found: list[Embed] = []
    for element in list(tree.iter("blockquote", "iframe", "div")):
        embed = _read_embed(element)
        if embed is None or element.getparent() is None:
            continue
        _swap(element, embed, len(found))
        found.append(embed)
    return found


def _read_embed(element: HtmlElement) -> Embed | None:
    classes = str(element.get("class") or "")
    if element.tag == "blockquote":
        if "twitter-tweet" in classes or "twitter-video" in classes:
            return _tweet(element)
        if "instagram-media" in classes:
            return _link_embed(element, "Instagram", element.get("data-instgrm-permalink"))
        if "tiktok-embed" in classes:
            return _link_embed(element, "TikTok", element.get("cite"))
        return None
    if element.tag == "div":
        if "fb-post" in classes or "fb-video" in classes:
            return _link_embed(element, "Facebook", element.get("data-href"))
        return None
    return _player(element)


def _tweet(element: HtmlElement) -> Embed | None:
    links = [str(a.get("href") or "") for a in element.iter("a")]
    status = [href for href in links if "/status/" in href]
    if not status:
        return None
    paragraphs = [_text(p) for p in element.iter("p")]
    author = _AUTHOR.search(_text(element))
    return Embed(
        "X (Twitter)",
        status[-1].split("?")[0],
        " ".join(p for p in paragraphs if p),
        f"{author.group(1).strip()} (@{author.group(2)})" if author else "",
    )


def _link_embed(element: HtmlElement, platform: str, url: str | None) -> Embed | None:
    href = url or next((str(a.get("href")) for a in element.iter("a") if a.get("href")), "")
    if not href.startswith(("http://", "https://")):
        return None
    author = _AUTHOR.search(_text(element))
    return Embed(platform, href.split("?")[0], "", author.group(1).strip() if author else "")


def _player(element: HtmlElement) -> Embed | None:
    src = str(element.get("src") or element.get("data-src") or "")
    if src.startswith("//"):
        src = "https:" + src
    host = (urlsplit(src).hostname or "").removeprefix("www.")
    platform = next((name for domain, name in _PLAYERS.items() if host.endswith(domain)), "")
    if not platform:
        return None
    video = _YOUTUBE_ID.search(src) if platform == "YouTube" else None
    url = f"https://www.youtube.com/watch?v={video.group(1)}" if video else src.split("?")[0]
    return Embed(platform, url, _player_title(str(element.get("title") or ""), platform))


# Words of a title that only names the player ("YouTube video player").
_PLAYER_WORDS = frozenset({"embedded", "embed", "video", "player", "media", "content", "iframe"})


def _player_title(title: str, platform: str) -> str:
    """The player's title as the embed's words, unless it only names the player.

    Pages give every iframe the title their CMS puts on all of them; "YouTube
    player" is not what the video says, and in the text it is UI words.
    """
    text = plain_text(title)
    names = {word.casefold() for word in platform.split()}
    words = {word.casefold() for word in re.findall(r"\w+", text)}
    return "" if words <= _PLAYER_WORDS | names else text


def _swap(element: HtmlElement, embed: Embed, index: int) -> None:
    # A marker word plus the post's own words: the extractor keeps the paragraph
    # where the embed stood, and the body recognises it by the marker.
    paragraph = fromstring("<p></p>")
    paragraph.text = f"ndemb{index}x {embed.text}".strip()
    paragraph.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, paragraph)


def _text(element: HtmlElement) -> str:
    return _SPACES.sub(" ", element.text_content()).strip()
