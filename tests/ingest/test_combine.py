"""Merging the rules' body with readability's, block by block (combine.py)."""

from __future__ import annotations

from lxml import etree

from newsdesk.ingest.combine import merge_bodies, pieces

# Paragraphs of prose: over 100 characters, ending like sentences.
PROSE = [
    "The council voted on Tuesday to extend the tram line by four kilometres, after a decade of"
    " debate in the chamber.",
    "Supporters said the line would cut car traffic in the old town and link two growing districts"
    " to the centre.",
    "Opponents warned of the cost and of years of works in streets that are already congested on"
    " most weekdays.",
    "A timetable for the works will be published before the end of the month, the mayor's office"
    " said on Wednesday.",
]


def body(*blocks: tuple[str, str]) -> etree._Element:
    root = etree.Element("body")
    for tag, text in blocks:
        etree.SubElement(root, tag).text = text
    return root


def texts(element: etree._Element | None) -> list[str]:
    return [piece.text for piece in pieces(element)]


def test_prose_only_readability_kept_joins_next_to_the_agreed_blocks() -> None:
    """A paragraph of prose that only readability found joins in its place."""
    rules = body(("p", PROSE[0]), ("p", PROSE[2]), ("p", PROSE[3]))
    other = body(("p", PROSE[0]), ("p", PROSE[1]), ("p", PROSE[2]), ("p", PROSE[3]))
    assert texts(merge_bodies(rules, other)) == PROSE


def test_a_lede_parted_by_a_dateline_joins_without_the_dateline() -> None:
    """readability's lede above a time stamp joins the article; the time stamp does not."""
    rules = body(("p", PROSE[1]), ("p", PROSE[2]))
    other = body(
        ("p", PROSE[0]),
        ("p", "19.10.2019 12.09"),
        ("p", "Online since 12.09"),
        ("p", PROSE[1]),
        ("p", PROSE[2]),
    )
    assert texts(merge_bodies(rules, other)) == PROSE[:3]


def test_a_lede_parted_by_many_short_lines_stays_out() -> None:
    """Past more than two short lines in a row, readability's extra prose is not joined."""
    rules = body(("p", PROSE[1]), ("p", PROSE[2]))
    lines = [("p", f"Menu entry {n}") for n in range(3)]
    other = body(("p", PROSE[0]), *lines, ("p", PROSE[1]), ("p", PROSE[2]))
    assert texts(merge_bodies(rules, other)) == PROSE[1:3]


def test_readability_standfirst_above_the_article_joins() -> None:
    """A sentence-long heading readability finds above the agreed part (the dek) joins it."""
    dek = "The city will spend four years and a record sum on its longest tram line yet"
    rules = body(("p", PROSE[0]), ("p", PROSE[1]))
    other = body(("head", dek), ("p", "By Jane Doe"), ("p", PROSE[0]), ("p", PROSE[1]))
    assert texts(merge_bodies(rules, other)) == [dek, *PROSE[:2]]


def test_readability_long_heading_below_the_article_stays_out() -> None:
    """A long heading after the agreed part (a membership appeal) is not a standfirst."""
    appeal = "An informed public decides better: support the journalism of this newspaper"
    rules = body(("p", PROSE[0]), ("p", PROSE[1]))
    other = body(("p", PROSE[0]), ("p", PROSE[1]), ("head", appeal))
    assert texts(merge_bodies(rules, other)) == PROSE[:2]


def test_readability_copy_of_a_kept_paragraph_is_not_added_twice() -> None:
    """A page holding one paragraph twice (one copy with a footnote number) shows it once."""
    variant = PROSE[1].replace("traffic", "traffic1")
    rules = body(("p", PROSE[0]), ("p", PROSE[1]), ("p", PROSE[2]))
    other = body(("p", PROSE[0]), ("p", variant), ("p", PROSE[1]), ("p", PROSE[2]))
    assert texts(merge_bodies(rules, other)) == PROSE[:3]


def test_short_lines_only_readability_kept_stay_out() -> None:
    """readability's extra short lines (a byline, a label) are not added."""
    rules = body(("p", PROSE[0]), ("p", PROSE[1]))
    other = body(("p", "Share this article"), ("p", PROSE[0]), ("p", PROSE[1]))
    assert texts(merge_bodies(rules, other)) == PROSE[:2]


def test_rules_tail_of_short_lines_after_the_agreed_part_is_dropped() -> None:
    """Past the last block both agree on, the rules' short lines and link lists go."""
    rules = body(
        ("p", PROSE[0]),
        ("p", PROSE[1]),
        ("head", "More stories"),
        ("list", "Tram fares rise Bus lanes open"),
        ("p", "Our Standards: The Trust Principles."),
    )
    other = body(("p", PROSE[0]), ("p", PROSE[1]))
    assert texts(merge_bodies(rules, other)) == PROSE[:2]


def test_rules_prose_in_the_tail_stays() -> None:
    """A paragraph of prose the rules found after readability stopped is kept."""
    rules = body(("p", PROSE[0]), ("p", PROSE[1]), ("p", PROSE[2]))
    other = body(("p", PROSE[0]), ("p", PROSE[1]))
    assert texts(merge_bodies(rules, other)) == PROSE[:3]


def test_disjoint_bodies_choose_the_prose_over_a_menu() -> None:
    """When the two read different parts of the page, prose beats a glued menu."""
    menu = " ".join(f"Section {n} Home News Sport Weather Contact Login" for n in range(20))
    rules = body(("p", menu))
    other = body(("p", PROSE[0]), ("p", PROSE[1]))
    assert texts(merge_bodies(rules, other)) == PROSE[:2]


def test_disjoint_bodies_keep_the_rules_when_both_are_prose() -> None:
    """Two different prose bodies: the rules' one stays (readability is not clearly better)."""
    rules = body(("p", PROSE[0]), ("p", PROSE[1]))
    other = body(("p", PROSE[2]), ("p", PROSE[3]))
    assert texts(merge_bodies(rules, other)) == PROSE[:2]


def test_a_missing_candidate_leaves_the_other() -> None:
    """With one extractor empty, the other's body is used as it is."""
    rules = body(("p", PROSE[0]))
    assert texts(merge_bodies(rules, None)) == PROSE[:1]
    assert texts(merge_bodies(None, rules)) == PROSE[:1]
    assert merge_bodies(None, None) is None


def test_figure_marker_in_the_tail_survives() -> None:
    """A figure's marker paragraph after the agreed part is kept (it is the image)."""
    rules = body(("p", PROSE[0]), ("p", PROSE[1]), ("p", "ndfig0x"))
    other = body(("p", PROSE[0]), ("p", PROSE[1]))
    merged = merge_bodies(rules, other)
    assert merged is not None
    assert "ndfig0x" in " ".join(merged.itertext())
