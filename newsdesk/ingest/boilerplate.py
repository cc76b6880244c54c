"""Recognise the blocks of an extracted body that are page furniture, not the article.

Each rule looks at one block (a paragraph, heading, list, quote...) with its
neighbours' help and returns the reason it is furniture, or "" to keep it.
Extractors keep such blocks when they sit inside the article container:
"Read more: ..." lines, newsletter and social prompts, paywall notices, tag
lists, lists of related articles, currency and weather tickers, bylines and
datelines at the top, the headline itself, and photo credits. The rules are
deliberately narrow (short blocks, a cue at the start, links dominating) so that
an article's own sentences survive them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Longest block a cue-based rule may remove: a prompt, not a paragraph.
SHORT = 220
# A list is "related articles" when links carry this share of its text.
RELATED_LINK_SHARE = 0.6

_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
_NUMBER = re.compile("[-+\u2212]?\\d[\\d.,:]*\\s?%?")
SENTENCE_END = re.compile('[.!?\u2026\u3002\uff01\uff1f"\u201d\u00bb)]\\s*$')

# "Read more: <link>" in the languages of the corpus and the demo.
_READ_MORE = re.compile(
    r"^\W{0,3}(read (more|also|next)|also read|see also|also on"
    r"|related( (stories|articles|coverage|content))?"
    r"|more (on this|from|stories|news)|recommended( for you)?|watch( now)?|listen( now)?|must read"
    r"|lesen sie (auch|mehr|hier)|mehr zum thema|mehr dazu|auch interessant|weitere informationen"
    r"|verwandte (themen|artikel|beiträge)|weiterführende links"
    r"|das könnte (sie|dich) auch interessieren|das thema könnte dich auch interessieren|auch auf"
    r"|([àa] )?lire aussi|voir aussi|à voir( aussi)?|sur le même sujet|pour aller plus loin"
    r"|lea (también|más|además)|lee (también|más)|leer más|ver (también|más)|te puede interesar"
    r"|también (te )?puede (interesar|leer)|noticias relacionadas|leia (também|mais)|veja também"
    r"|leggi anche|potrebbe interessarti|lea)\b\s*[:.…-]?",
    re.IGNORECASE,
)
_PROMPT = re.compile(
    r"\b((sign|log) ?(up|in)( now| today)? (for|to)|subscribe (now|today|to|for)"
    r"|(our|free|daily|weekly) (e-?mail )?newsletters?"
    r"|follow (us|(@?[\w.]+ ){1,3}on (twitter|x|facebook|instagram))"
    r"|join us on|download (our|the) app|share (this|on)\b|click here|all rights reserved"
    r"|newsletter abonnieren|jetzt (abonnieren|registrieren)|abonnez-vous"
    r"|inscrivez-vous|abonnieren sie|suscr[íi]bete|hazte miembro|pour (lire|accéder)"
    r"|to continue reading"
    r"|already a subscriber|we use cookies|support (our|independent) journalism|weiterlesen mit)\b",
    re.IGNORECASE,
)
# A copyright notice: the sign, or "(c)"/"copyright" with a year ("Copyright
# holders objected" is news). Inside _PROMPT's word boundaries "©" never
# matched: it is not a word character.
_COPYRIGHT = re.compile(r"©|\(c\)\s?\d{4}|\bcopyright\s+(\(c\)\s?)?\d{4}", re.IGNORECASE)
# Appeals for money or membership that close an article, in the outlet's own
# imperative voice ("become a member" also reports news: left out); a paragraph
# may be longer than SHORT (up to APPEAL_MAX) and still be one.
_APPEAL = re.compile(
    r"\b(hazte (miembro|socio)|spendenfinanziert|unseren journalismus"
    r"|support (our|independent|quality) journalism|donate (now|today)|make a donation"
    r"|faites un don|soutenez[- ]nous|apoya (nuestro|el) periodismo"
    r"|jetzt (mit wenigen klicks )?unterstützen)\b",
    re.IGNORECASE,
)
APPEAL_MAX = 2 * SHORT
# "12 comments", "Kommentare: 3": a comment counter from a teaser or the article's foot.
_COMMENT_COUNT = re.compile(
    r"^\W{0,2}(\d+\s+(comments?|commentaires?|kommentare?|comentarios?|commenti|reacties|replies)"
    r"|(comments?|commentaires|kommentare|comentarios)\s*[:(]?\s*\d+\)?)$",
    re.IGNORECASE,
)
_TAGS = re.compile(
    r"^\W{0,3}(tags?|topics?|themen|schlagw[öo]rter|stichw[öo]rter|mots[- ]cl[ée]s|th[èe]mes?"
    r"|temas|etiquetas|categor(y|ies|ía|ias|ie)|filed under|argomenti|rubriken?)\s*[:\uff1a]?",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\W{0,2}(photo|image|picture|credit|source|foto|bild|fotos?|bildquelle|crédit|illustration"
    r"|image illustrative|getty images|reuters|ap photo)\b\s*[:/|©]",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^((by|von|par|por|di|door|de)\s+\w|(written by|escrito por|geschrieben von|écrit par"
    r"|aut(or|hor|eur)(in)?)\b\s*:?\s*\w)",
    re.IGNORECASE,
)
# Month names (and their usual abbreviations) of the corpus's and the demo's languages.
_MONTH = (
    r"(jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|févr|avr|juil|déc"
    r"|ene|abr|ago|dic|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre"
    r"|octubre|noviembre|diciembre)[a-zäéû]*\.?"
)
_DATELINE = re.compile(
    r"^(published|updated|posted|last updated|latest update|veröffentlicht|aktualisiert|stand"
    r"|publié|mis à jour|publicado|actualizado)\b|^\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"
    r"|^\d{4}-\d{2}-\d{2}\b"
    rf"|^\d{{1,2}}\.?\s+(de\s+)?{_MONTH}\s+(de\s+)?\d{{4}}\b"
    rf"|^{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b",
    re.IGNORECASE,
)
_ADVERT = re.compile(
    r"^(advertisement|anzeige|werbung|publicité|publicidad|pubblicità|sponsored|ad)$", re.IGNORECASE
)


@dataclass(frozen=True)
class BlockView:
    """What the rules see of one block."""

    kind: str  # p, head, list, quote, table, graphic, code, embed, other
    text: str
    link_text_chars: int = 0
    items: int = 0


def furniture_reason(blocks: Sequence[BlockView], index: int, *, title: str) -> str:
    """Return why ``blocks[index]`` is furniture, or "" when it is article text."""
    block = blocks[index]
    text = block.text
    if block.kind in {"graphic", "embed", "table", "code"} or not text:
        return ""
    if _ADVERT.match(text):
        return "advert"
    if index < 3 and _same(text, title):
        return "headline"
    short = len(text) <= SHORT
    if short and _READ_MORE.match(text) and _linky(block, 0.4):
        return "read-more"
    if short and block.kind != "head" and _PROMPT.search(text):
        return "prompt"
    if short and block.kind != "head" and _COPYRIGHT.search(text):
        return "copyright"
    if len(text) <= APPEAL_MAX and _APPEAL.search(text):
        return "appeal"
    if short and _COMMENT_COUNT.match(text):
        return "comments"
    if short and _TAGS.match(text) and (_linky(block, 0.3) or block.kind == "list"):
        return "tags"
    if short and _CREDIT.match(text) and not SENTENCE_END.search(_unbracketed(text)):
        return "credit"
    if block.kind == "list" and _related_list(blocks, index):
        return "related"
    if (
        block.kind == "p"
        and _linky(block, RELATED_LINK_SHARE)
        and _announced(blocks, index, colon=True)
    ):
        # Teaser headlines glued into one paragraph of links under "Also on ...",
        # or one linked teaser a line under "Related topics on our blog:".
        return "related"
    if short and block.kind in {"p", "list"} and _ticker(text):
        return "ticker"
    near_top = index < 4 and len(text) <= 100 and not SENTENCE_END.search(text)
    if near_top and (_BYLINE.match(text) or _DATELINE.match(text)):
        return "byline"
    return ""


def heading_introduces_furniture(heading: BlockView, following: BlockView, reason: str) -> bool:
    """Tell whether a heading (or a lead-in line) only announces a block removed as furniture."""
    if heading.kind == "p":
        # Only before teaser lines: a lead-in to a list of links stays, as before.
        return reason == "related" and following.kind == "p" and _lead_in(heading, colon=True)
    return (
        heading.kind == "head"
        and reason in {"related", "tags", "read-more"}
        and (
            bool(_READ_MORE.match(heading.text) or _TAGS.match(heading.text))
            or len(heading.text) < 60
        )
        and (following.kind == "list" or (following.kind == "p" and reason == "related"))
    )


def _same(text: str, title: str) -> bool:
    a, b = _key(text), _key(title)
    return bool(a and b) and (a == b or (len(a) > 20 and b.startswith(a)))


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _linky(block: BlockView, share: float) -> bool:
    return bool(block.text) and block.link_text_chars / len(block.text) >= share


def _related_list(blocks: Sequence[BlockView], index: int) -> bool:
    """A list of links to other articles: links carry most of it, items read like headlines."""
    block = blocks[index]
    if block.items < 2 or not _linky(block, RELATED_LINK_SHARE):
        return False
    announced = _announced(blocks, index)
    after_body = all(b.kind != "p" or len(b.text) < 80 for b in blocks[index + 1 :])
    headline_items = len(block.text) / block.items > 25
    return announced or (after_body and headline_items)


def _announced(blocks: Sequence[BlockView], index: int, *, colon: bool = False) -> bool:
    """The block follows a heading or a lead-in line that announces other articles or tags.

    Linked teasers of the same run may stand between (one a line); with
    ``colon`` any short line ending in a colon counts as the lead-in.
    """
    at = index - 1
    while at >= 0 and _teaser_line(blocks[at]):
        at -= 1
    if at < 0:
        return False
    previous = blocks[at]
    if previous.kind == "head":
        return bool(_READ_MORE.match(previous.text) or _TAGS.match(previous.text))
    return previous.kind == "p" and _lead_in(previous, colon=colon)


def _teaser_line(block: BlockView) -> bool:
    """One linked teaser headline on a line of its own."""
    return block.kind == "p" and len(block.text) <= SHORT and _linky(block, RELATED_LINK_SHARE)


def _lead_in(block: BlockView, *, colon: bool) -> bool:
    """A short line that only announces what follows: a read-more cue (or, with ``colon``,
    any short line ending in a colon)."""
    if len(block.text) > MAX_LEAD_IN:
        return False
    cue = _READ_MORE.match(block.text)
    return bool(cue and cue.end() >= len(block.text.rstrip())) or (
        colon and dangling_lead_in(block)
    )


def _unbracketed(text: str) -> str:
    """A line without the brackets around it: "(Credit: AP)" ends like "Credit: AP"."""
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def dangling_lead_in(block: BlockView) -> bool:
    """A short line announcing what follows ("More on the topic:", "You may also like")."""
    if block.kind not in {"p", "head"} or len(block.text) > MAX_LEAD_IN:
        return False
    cue = _READ_MORE.match(block.text)
    return block.text.endswith(":") or bool(cue and cue.end() >= len(block.text.rstrip()))


# Longest line that may only announce what follows it.
MAX_LEAD_IN = 100


def _ticker(text: str) -> bool:
    """Mostly numbers, percentages and currency signs: a market or weather ticker."""
    words = text.split()
    numbers = len(_NUMBER.findall(text))
    if numbers < 4 or len(words) > 60:
        return False
    return numbers / max(len(words), 1) >= 0.4 and not SENTENCE_END.search(text)
