"""Reading feeds of every usual format into plain items, and telling which concern the series
and which are the same story."""

from __future__ import annotations

import pytest

from bot.feeds.errors import FeedError
from bot.feeds.match import canonical_link, default_keywords, matches, parse_keywords, same_story
from bot.feeds.parse import parse

RSS20 = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Press</title><ttl>30</ttl>
<item><guid>g1</guid><title>All of Us Are Dead 2</title><link>http://a.example/1</link>
<description>&lt;p&gt;Read &lt;a href="https://www.netflix.com/x"&gt;more&lt;/a&gt;&lt;/p&gt;</description>
<pubDate>Tue, 01 Dec 2026 07:00:00 GMT</pubDate></item></channel></rss>"""
ATOM10 = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<id>urn:a</id><updated>2026-12-01T00:00:00Z</updated><entry><id>urn:e1</id><title>E1</title>
<link href="http://a.example/e1"/><updated>2026-12-01T00:00:00Z</updated></entry></feed>"""
RSS10 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://a.example/"><title>R</title>
<link>http://a.example/</link><description>d</description></channel>
<item rdf:about="http://a.example/r1"><title>R1</title><link>http://a.example/r1</link></item>
</rdf:RDF>"""
ATOM03 = b"""<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>Old</title><entry><title>O1</title><link rel="alternate" href="http://a.example/o1"/>
<id>o1</id><issued>2026-12-01T00:00:00Z</issued></entry></feed>"""
RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>N</title>
<link>http://a.example/</link><description>d</description><item><title>N1</title>
<link>http://a.example/n1</link></item></channel></rss>"""


@pytest.mark.parametrize(
    ("body", "kind", "title"),
    [(RSS20, "RSS 2.0", "All of Us Are Dead 2"), (ATOM10, "Atom 1.0", "E1"),
     (RSS10, "RSS 1.0", "R1"), (ATOM03, "Atom 0.3", "O1"), (RSS091, "RSS 0.91", "N1")],
)  # fmt: skip
def test_every_usual_format_is_read(body: bytes, kind: str, title: str) -> None:
    feed = parse(body, "http://a.example/feed")
    assert feed.kind == kind and [i.title for i in feed.items] == [title]
    assert feed.items[0].link and feed.items[0].link.startswith("http://a.example/")


def test_html_becomes_plain_text_with_the_links_domain_and_ttl_is_kept() -> None:
    feed = parse(RSS20, "http://a.example/feed")
    [item] = feed.items
    assert item.summary == "Read more (netflix.com)"
    assert item.guid == "g1" and item.published == 1796108400 and feed.ttl_s == 30 * 60


def test_a_declared_korean_encoding_is_honoured() -> None:
    body = ('<?xml version="1.0" encoding="euc-kr"?><rss version="2.0"><channel><title>뉴스'
            "</title><item><title>지금 우리 학교는 시즌 2 공개</title></item></channel></rss>"
            ).encode("euc-kr")  # fmt: skip
    [item] = parse(body, "http://a.example/kr").items
    assert item.title == "지금 우리 학교는 시즌 2 공개"


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
    b'<rss version="2.0"><channel><title>&b;</title></channel></rss>'
)


@pytest.mark.parametrize("body", [b"\x00\xffgarbage", b"<rss><channel><item><title>", b"", BOMB])
def test_what_is_no_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse(body, "http://a.example/x")
    assert caught.value.reason_key == "not_a_feed"


def test_keywords_match_across_case_spacing_hyphens_and_scripts() -> None:
    words = default_keywords()
    assert matches(words, "ALL-OF-US-ARE-DEAD returns", "")
    assert matches(words, "Netflix news", "지금우리학교는 시즌2 촬영")
    assert matches(words, "'지우학' 2 teaser", "")
    assert not matches(words, "All of us are tired", "a dead battery")
    assert parse_keywords(" trailer, , 예고편 ,trailer") == ("trailer", "예고편")
    assert len(parse_keywords(",".join(f"w{i}" for i in range(50)))) == 20


def test_the_same_link_and_the_same_story() -> None:
    assert canonical_link("HTTP://News.Example/a/?utm_source=x&id=2&fbclid=y#top") == (
        "http://news.example/a?id=2"
    )
    assert same_story("All of Us Are Dead season 2 trailer drops",
                      "All of Us Are Dead Season 2 Trailer Drops!")  # fmt: skip
    assert same_story("'지금 우리 학교는' 시즌2 예고편 공개", "지금 우리 학교는 시즌2 예고편 공개!")
    assert not same_story("All of Us Are Dead season 2 trailer drops",
                          "All of Us Are Dead season 2 cast announced")  # fmt: skip
