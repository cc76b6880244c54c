"""What the extracted body keeps and drops: figures, embeds, furniture, the headline."""

from __future__ import annotations

import pickle

from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.sanitize import sanitize_html

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line by four kilometres, a plan"
    " debated for nearly a decade and opposed by shop owners along the route.",
    "Construction is due to start next spring and will close the main avenue for eighteen"
    " months, the transport department said in a statement released after the vote.",
    "Residents who spoke at the meeting were divided: some welcomed a faster link to the"
    " station, others feared that the works would drive customers away from local shops.",
    "The mayor said the city would compensate businesses that lose trade during the works"
    " and that a detailed timetable would be published before the end of the month.",
]


def page(
    middle: str = "", *, head: str = "", tail: str = "", title: str = "Tram line to grow"
) -> bytes:
    """An article page with the given blocks around four real-looking paragraphs."""
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS[:2]) + middle
    body += "".join(f"<p>{text}</p>" for text in PARAGRAPHS[2:])
    html = (
        f"<html lang='en'><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>{head}{body}{tail}</article>"
        "<footer>Contact us</footer></body></html>"
    )
    return html.encode()


def test_figure_keeps_its_caption_in_html_but_not_in_text() -> None:
    """A figure stays in the HTML with its caption once; caption and alt text stay out of text."""
    figure = (
        "<figure><img src='https://example.org/tram.jpg' alt='A tram at the depot'>"
        "<figcaption>The new trams at the depot. Photo: City archive</figcaption></figure>"
        "<p>The new trams at the depot. Photo: City archive</p>"
    )
    result = extract_article(page(figure), url="https://example.org/news/tram")
    assert "The new trams at the depot" not in result.text
    assert "A tram at the depot" not in result.text
    html = sanitize_html(result.html, base_url="https://example.org/news/tram")
    assert html.count("<figure>") == 1
    assert html.count("The new trams at the depot") == 1
    assert 'src="https://example.org/tram.jpg"' in html
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_inline_image_does_not_cost_the_words_after_it() -> None:
    """The words following an image in a paragraph stay in the text."""
    middle = (
        "<div><img src='https://example.org/a.jpg' width='600' height='400'></div>"
        "Officials expect the first trams to run on the extended line within three years."
    )
    result = extract_article(page(middle), url="https://example.org/news/tram")
    assert "Officials expect the first trams to run" in result.text
    assert "<img" in result.html


def test_tweet_becomes_a_linked_quote_without_ui_text() -> None:
    """An embedded tweet keeps its words and one link to the post, never its buttons."""
    tweet = (
        "<blockquote class='twitter-tweet'><p lang='en'>Huge day for public transport in our"
        " city, the tram is coming!</p>&mdash; City Mayor (@citymayor) "
        "<a href='https://twitter.com/citymayor/status/123456?ref_src=x'>March 3, 2020</a>"
        "<span>Reply</span><span>Retweet</span><span>Favorite</span></blockquote>"
        "<script src='https://platform.twitter.com/widgets.js'></script>"
    )
    result = extract_article(page(tweet), url="https://example.org/news/tram")
    html = sanitize_html(result.html, base_url="https://example.org/news/tram")
    assert "Huge day for public transport" in result.text
    assert "Retweet" not in result.text
    assert 'href="https://twitter.com/citymayor/status/123456"' in html
    assert "<blockquote>" in html
    assert "X (Twitter) post" not in result.text


def test_youtube_player_becomes_a_link() -> None:
    """An embedded video player is kept as a link to the video, not lost and not as text."""
    player = "<iframe src='https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0'></iframe>"
    result = extract_article(page(player), url="https://example.org/news/tram")
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in result.html
    assert "YouTube" not in result.text


def test_generic_player_title_is_not_text() -> None:
    """ "YouTube video player", the title a CMS gives every iframe, stays out of the text;
    a title that says what the video shows stays."""
    players = (
        "<iframe title='YouTube video player' src='https://www.youtube.com/embed/abc123def'>"
        "</iframe><iframe title='Tram depot open day, March 2020' "
        "src='https://www.youtube.com/embed/xyz789uvw'></iframe>"
    )
    result = extract_article(page(players), url="https://example.org/news/tram")
    assert "player" not in result.text
    assert "Tram depot open day, March 2020" in result.text
    assert "https://www.youtube.com/watch?v=abc123def" in result.html


def test_furniture_blocks_are_dropped() -> None:
    """Read-more lines, newsletter prompts, tag lists, related lists and tickers leave the body."""
    middle = (
        "<p>Read more: <a href='/news/bus'>Bus fares to rise in January</a></p>"
        "<p>EUR/USD 1.0834 +0.21% DAX 15,234.12 -0.35% FTSE 7,512.40 +0.12%</p>"
    )
    tail = (
        "<p>Sign up for our newsletter to get the day's news every morning.</p>"
        "<p>Tags: <a href='/t/trams'>Trams</a>, <a href='/t/council'>City council</a></p>"
        "<h2>Related articles</h2><ul>"
        "<li><a href='/a'>Council approves new budget for the coming year</a></li>"
        "<li><a href='/b'>Cycle lanes to be widened on the riverside road</a></li>"
        "<li><a href='/c'>Station square redesign wins architecture prize</a></li></ul>"
    )
    result = extract_article(page(middle, tail=tail), url="https://example.org/news/tram")
    for furniture in ("Bus fares", "EUR/USD", "newsletter", "Tags:", "Related", "Cycle lanes"):
        assert furniture not in result.text, furniture
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_social_prompt_credit_and_teaser_links_are_dropped() -> None:
    """A follow prompt naming the outlet, a bracketed credit and linked teasers under
    "Also on ..." leave the body."""
    middle = "<p>(Credit: Jane Roe / City Photo Agency)</p>"
    tail = (
        "<p>Follow The Daily Courier on Twitter and Instagram @DailyCourier for the latest.</p>"
        "<h2>Also on example.org</h2>"
        "<p><a href='/a'>Council approves new budget for the coming year</a>"
        " <a href='/b'>Cycle lanes to be widened on the riverside road</a></p>"
    )
    result = extract_article(page(middle, tail=tail), url="https://example.org/news/tram")
    for furniture in ("Credit:", "Follow The Daily Courier", "Also on", "Cycle lanes"):
        assert furniture not in result.text, furniture
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_copyright_line_comment_counter_and_appeal_are_dropped() -> None:
    """A copyright line, a comment counter and a closing appeal for money leave the body."""
    middle = "<p>12 comments</p>"
    tail = (
        "<p>Independent reporting costs money: please support independent journalism"
        " and donate today, even a small amount keeps our newsroom going.</p>"
        "<p>© 2024 Example Media Group</p>"
    )
    result = extract_article(page(middle, tail=tail), url="https://example.org/news/tram")
    for furniture in ("12 comments", "donate today", "Example Media Group"):
        assert furniture not in result.text, furniture
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_sentences_about_copyright_and_membership_stay() -> None:
    """Hostile case: news about copyright and about becoming a member is article text."""
    middle = (
        "<p>Copyright holders objected to the plan, and the mayor, who is becoming a member"
        " of the transport board, said their concerns would be heard in January.</p>"
    )
    result = extract_article(page(middle), url="https://example.org/news/tram")
    assert "Copyright holders objected to the plan" in result.text


def test_teaser_lines_under_a_lead_in_line_are_dropped() -> None:
    """Linked teasers, one a line, under "Related topics on our blog:" leave with the line."""
    tail = (
        "<p>Verwandte Themen auf unserem Blog:</p>"
        "<p><a href='/a'>Council approves new budget for the coming year</a></p>"
        "<p><a href='/b'>Cycle lanes to be widened on the riverside road</a></p>"
    )
    result = extract_article(page(tail=tail), url="https://example.org/news/tram")
    for furniture in ("Verwandte Themen", "Council approves", "Cycle lanes"):
        assert furniture not in result.text, furniture
    assert result.text.endswith(PARAGRAPHS[3][-40:])


def test_a_closing_read_more_heading_is_dropped() -> None:
    """A "Te puede interesar" heading closing the body announced teasers that were not kept."""
    tail = "<h2>TE PUEDE INTERESAR</h2>"
    result = extract_article(page(tail=tail), url="https://example.org/news/tram")
    assert "INTERESAR" not in result.text
    assert result.text.endswith(PARAGRAPHS[3][-40:])


def test_soft_hyphens_do_not_hide_a_credit() -> None:
    """A photo credit hyphenated for narrow screens is still a credit."""
    middle = (
        "<p>Image illus\u00adtra\u00adtive : Lego Mini\u00adfi\u00adgures by Nin\u00adja Brick</p>"
    )
    result = extract_article(page(middle), url="https://example.org/news/tram")
    assert "Lego" not in result.text
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_a_closing_lead_in_without_what_it_announced_is_dropped() -> None:
    """ "More on the tram:" closing the body announced links that were not kept."""
    tail = "<p>More on the tram line in our city:</p>"
    result = extract_article(page(tail=tail), url="https://example.org/news/tram")
    assert "More on the tram" not in result.text
    assert result.text.endswith(PARAGRAPHS[3][-40:])


def test_a_lead_in_followed_by_its_list_stays() -> None:
    """Hostile case: a line ending in a colon that introduces a kept list is article text."""
    tail = (
        "<p>The plan has three stages:</p><ul><li>Laying new track along the avenue in spring.</li>"
        "<li>Building four stations with step-free access.</li>"
        "<li>Testing the line for two months before opening.</li></ul>"
    )
    result = extract_article(page(tail=tail), url="https://example.org/news/tram")
    assert "The plan has three stages:" in result.text


def test_article_sentences_with_cue_words_stay() -> None:
    """Hostile case: a real paragraph mentioning newsletters and reading more is kept."""
    middle = (
        "<p>Read more about the plan in the council's report, which says the newsletter sent to"
        " residents last year underestimated the cost of the works by almost a third, and that"
        " the final bill will depend on the price of steel.</p>"
    )
    result = extract_article(page(middle), url="https://example.org/news/tram")
    assert "underestimated the cost of the works" in result.text


def test_headline_and_byline_do_not_open_the_body() -> None:
    """The headline and a byline line at the top are not repeated in the body."""
    head = "<p>By Jane Doe</p>"
    result = extract_article(page(head=head), url="https://example.org/news/tram")
    assert not result.text.startswith("Tram line to grow")
    assert "By Jane Doe" not in result.text
    assert result.text.startswith(PARAGRAPHS[0][:30])


def test_written_dates_and_author_lines_do_not_open_the_body() -> None:
    """A date written with its month's name and an "Author:" line at the top leave the body;
    a first sentence opening with a month stays."""
    head = "<p>July 7, 2020</p><p>Written by: Jane Doe</p>"
    result = extract_article(page(head=head), url="https://example.org/news/tram")
    assert "July 7, 2020" not in result.text
    assert "Jane Doe" not in result.text
    assert result.text.startswith(PARAGRAPHS[0][:30])
    opening = "<p>March 3 was the day the council first debated the tram line</p>"
    kept = extract_article(page(head=opening), url="https://example.org/news/tram")
    assert "March 3 was the day" in kept.text


def test_a_paragraph_printed_twice_is_kept_once() -> None:
    """A passage the page prints twice reaches the body once; short repeated lines stay."""
    twice = "<p>Work on the depot will begin first, the council's engineers said on Monday.</p>"
    middle = twice + twice + "<p>Continue reading</p><p>Continue reading</p>"
    result = extract_article(page(middle), url="https://example.org/news/tram")
    assert result.text.count("Work on the depot will begin first") == 1
    assert result.text.count("Continue reading") == 2
    assert all(text[:40] in result.text for text in PARAGRAPHS)


def test_extracted_page_crosses_process_boundaries() -> None:
    """The page (and its learning fields) pickles, as a process pool needs."""
    result = extract_article(page(), url="https://example.org/news/tram")
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.template_host == "example.org"
    assert result.block_prints
