"""Parsing feeds: every common format and encoding into plain, bounded items; malformed feeds
read as far as they go; entity bombs, huge markup, garbage and non-feeds refused."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.feeds import xml_guard
from bot.feeds.errors import FeedError
from bot.feeds.parse import SUMMARY, TITLE, ParsedFeed, parse

URL = "https://feeds.example/news.xml"

RSS20 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Soompi &amp; friends</title><ttl>90</ttl>
<link>https://www.soompi.com/</link>
<item>
  <title>Netflix confirms ‘All of Us Are Dead’ Season 2</title>
  <link>https://www.soompi.com/article/1?utm_source=rss</link>
  <guid isPermaLink="false">soompi-1</guid>
  <pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;It&amp;#39;s official:
    &lt;a href="https://www.netflix.com/tudum/articles/x"&gt;Netflix&lt;/a&gt; said so.&lt;/p&gt;
    &lt;p&gt;See &lt;a href="/tags/aouad"&gt;more&lt;/a&gt;, or
    &lt;a href="https://www.soompi.com/article/1"&gt;https://www.soompi.com/article/1&lt;/a&gt;
    &lt;script&gt;alert("x")&lt;/script&gt;
    &lt;a href="javascript:alert(1)"&gt;click&lt;/a&gt;&lt;/p&gt;
  </description>
</item>
<item><title>No guid here</title><link>https://www.soompi.com/article/2</link></item>
</channel></rss>"""

RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/rss"><title>RDF news</title>
  <link>https://news.example/</link><description>d</description>
  <items><rdf:Seq><rdf:li rdf:resource="https://news.example/a"/></rdf:Seq></items></channel>
<item rdf:about="https://news.example/a"><title>Zombie school drama returns</title>
  <link>https://news.example/a</link><description>Filming begins.</description>
  <dc:date>2024-05-02T09:30:00+09:00</dc:date></item>
</rdf:RDF>"""

RSS091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old school</title><link>http://old.example/</link>
<description>x</description><language>en</language>
<item><title>Caf\xe9 scene&nbsp;explained</title><link>http://old.example/1</link>
<description>A &lt;b&gt;bold&lt;/b&gt; take</description></item></channel></rss>"""

ATOM10 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Tudum</title><id>urn:tudum</id>
<updated>2024-05-03T00:00:00Z</updated>
<entry><title type="html">&lt;em&gt;All of Us Are Dead&lt;/em&gt; cast reunites</title>
  <id>tag:netflix.com,2024:1</id><link rel="alternate" href="https://www.netflix.com/tudum/1"/>
  <published>2024-05-03T12:00:00Z</published><updated>2024-05-04T00:00:00Z</updated>
  <content type="html">&lt;p&gt;Park Ji-hu &amp;amp; Yoon Chan-young&lt;/p&gt;</content></entry>
</feed>"""

ATOM03 = """<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title>
<link rel="alternate" type="text/html" href="https://blog.example/"/>
<modified>2005-01-01T00:00:00Z</modified>
<entry><title>Legacy entry</title><link rel="alternate" type="text/html" href="https://blog.example/1"/>
  <id>tag:blog.example,2005:1</id><issued>2005-01-01T00:00:00Z</issued>
  <modified>2005-01-02T00:00:00Z</modified>
  <summary type="text/html" mode="escaped">&lt;i&gt;short&lt;/i&gt; text</summary></entry></feed>"""

KOREAN = """<?xml version="1.0" encoding="EUC-KR"?>
<rss version="2.0"><channel><title>연예 뉴스</title><link>https://kr.example/</link>
<item><title>'지금 우리 학교는' 시즌2 제작 확정</title><link>https://kr.example/1</link>
<description>넷플릭스가 &lt;b&gt;공식&lt;/b&gt; 발표했다.</description></item></channel></rss>"""

MALFORMED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & proud</title>
<item><title>First <b>item</title><link>https://broken.example/1</link>
<description>unclosed <p>para</description>
<item><title>Second item</title><link>https://broken.example/2</link></item></channel>"""


def one(feed: ParsedFeed) -> tuple[str, str, str, str, int | None]:
    item = feed.items[0]
    return item.guid, item.title, item.link, item.summary, item.published


# --- formats ---------------------------------------------------------------------------------


def test_rss_2() -> None:
    feed = parse(RSS20.encode(), URL)
    assert (feed.title, feed.kind, feed.ttl_s) == ("Soompi & friends", "RSS 2.0", 90 * 60)
    assert one(feed) == (
        "soompi-1",
        "Netflix confirms ‘All of Us Are Dead’ Season 2",
        "https://www.soompi.com/article/1?utm_source=rss",
        "It's official: Netflix (netflix.com) said so. See more (soompi.com), or soompi.com click",
        1714557600,  # 2024-05-01 10:00 UTC
    )
    second = feed.items[1]
    assert second.guid == second.link == "https://www.soompi.com/article/2"  # no guid: the link
    assert (second.summary, second.published) == ("", None)


def test_rss_1_rdf() -> None:
    feed = parse(RSS10.encode(), URL)
    assert (feed.title, feed.kind, feed.ttl_s) == ("RDF news", "RSS 1.0", None)
    assert one(feed) == (
        "https://news.example/a",
        "Zombie school drama returns",
        "https://news.example/a",
        "Filming begins.",
        1714609800,  # 09:30 in Seoul is 00:30 UTC
    )


def test_rss_0_91_with_its_netscape_doctype_and_latin_1() -> None:
    feed = parse(RSS091.encode("latin-1"), URL)
    assert (feed.title, feed.kind) == ("Old school", "RSS 0.91")
    assert one(feed)[1:4] == ("Café scene explained", "http://old.example/1", "A bold take")


def test_atom_1() -> None:
    feed = parse(ATOM10.encode(), URL)
    assert (feed.title, feed.kind) == ("Tudum", "Atom 1.0")
    assert one(feed) == (
        "tag:netflix.com,2024:1",
        "All of Us Are Dead cast reunites",  # an HTML title is plain text too
        "https://www.netflix.com/tudum/1",
        "Park Ji-hu & Yoon Chan-young",  # the content when there is no summary
        1714737600,  # published, not updated
    )


def test_atom_0_3() -> None:
    feed = parse(ATOM03.encode(), URL)
    assert (feed.title, feed.kind) == ("Old Atom", "Atom 0.3")
    assert one(feed) == (
        "tag:blog.example,2005:1",
        "Legacy entry",
        "https://blog.example/1",
        "short text",
        1104537600,
    )


def test_korean_in_a_declared_euc_kr_encoding() -> None:
    body = KOREAN.encode("euc-kr")
    assert "지금".encode() not in body  # really EUC-KR bytes, not UTF-8
    feed = parse(body, URL)
    assert feed.title == "연예 뉴스"
    assert one(feed)[1:4] == (
        "'지금 우리 학교는' 시즌2 제작 확정",
        "https://kr.example/1",
        "넷플릭스가 공식 발표했다.",
    )


@pytest.mark.parametrize("encoding", ["utf-16", "cp949", "utf-8-sig"])
def test_other_declared_encodings(encoding: str) -> None:
    declared = "utf-8" if encoding == "utf-8-sig" else encoding
    text = KOREAN.replace('encoding="EUC-KR"', f'encoding="{declared}"')
    assert one(parse(text.encode(encoding), URL))[1] == "'지금 우리 학교는' 시즌2 제작 확정"


def test_an_empty_feed_is_a_feed_with_no_items() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    feed = parse(body, URL)
    assert (feed.title, feed.kind, feed.items) == ("Quiet", "RSS 2.0", ())


def test_a_feed_without_a_title_is_named_for_its_domain() -> None:
    body = b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'
    assert parse(body, "https://www.news.example/rss").title == "news.example"


# --- what an item becomes --------------------------------------------------------------------


def test_html_summary_becomes_plain_text_with_its_links() -> None:
    html = (
        "<div><h2>Season&nbsp;2</h2><p>Read <a href='https://www.netflix.com/x'>the"
        " <b>announcement</b></a>, then <a href='https://soompi.com/y'>Soompi.com's take</a>."
        "</p><ul><li>one</li><li>two</li></ul><style>p{}</style><img src='x.png'>"
        "<a href='mailto:a@b.c'>write</a> &lt;3 &#50864;리</div>"
    )
    body = f"""<rss version="2.0"><channel><title>t</title><item><title>x</title>
        <link>https://news.example/1</link><description><![CDATA[{html}]]></description>
        </item></channel></rss>""".encode()
    summary = parse(body, URL).items[0].summary
    assert summary == (
        "Season 2 Read the announcement (netflix.com), then Soompi.com's take. one two"
        " write <3 우리"
    )


def test_texts_are_bounded_and_cleaned() -> None:
    long_title = "Zombies " * 60  # 480 characters
    body = f"""<rss version="2.0"><channel><title>\u200bFeed\u202e</title><item>
        <title>{long_title}</title><description>{"word " * 2000}</description>
        <guid>{"g" * 600}</guid><link>javascript:alert(1)</link></item></channel></rss>"""
    feed = parse(body.encode(), URL)
    item = feed.items[0]
    assert feed.title == "Feed"  # invisible and direction characters gone
    assert len(item.title) <= TITLE and item.title.endswith("…")
    assert len(item.summary) <= SUMMARY and item.summary.endswith("…")
    assert item.link == ""  # only http(s) links are kept
    assert item.guid.startswith("sha256:") and len(item.guid) == 7 + 64  # a long id, hashed


def test_an_item_without_id_or_link_gets_a_stable_hash_and_an_empty_one_is_dropped() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
        <item><title>Only a title</title></item><item></item></channel></rss>"""
    items = parse(body, URL).items
    again = parse(body, URL).items
    assert len(items) == 1 and items[0].guid.startswith("sha256:")
    assert items[0].guid == again[0].guid


# Markup in titles, in the manner of feedparser's own sanitize test documents: escaped in an
# RSS title (which feedparser calls plain text unless it guesses HTML), escaped as Atom 0.3's
# text/html, inside CDATA, and in an Atom 1.0 title declared plain.
ONSUBMIT = (
    '<img src="http://www.ragingplatypus.com/i/cam-full.jpg"'
    " onsubmit=\"location.href='http://www.ragingplatypus.com/';\" /> Zombies at school"
)
SCRIPT = (
    "safe<script type=\"text/javascript\">location.href='http:/'+'/example.com/';</script> news"
)
CRAZY = (
    "<!DOCTYPE html><html><head><title>Crazy</title></head>"
    '<body notRealAttribute="value"onload="executeMe();"foo="bar"\n>'
    "<!-- <script> --><script\n>function executeMe() { alert('Executed'); }</script\n>"
    '<h1>Did it run?</h1><div onmouseover="executeMe();">Mouse over me</div></body></html>'
)
MARKUP_TITLES = [
    pytest.param(ONSUBMIT, "Zombies at school", id="img-onsubmit"),
    pytest.param(SCRIPT, "safe news", id="script"),
    pytest.param("<b>All of Us Are Dead</b> season 2: <b>filming</b> ends",
                 "All of Us Are Dead season 2: filming ends", id="b-highlights"),
    pytest.param("Netflix <iframe src='https://evil.example/'></iframe>confirms",
                 "Netflix confirms", id="iframe"),
    pytest.param(CRAZY, "Did it run? Mouse over me", id="crazy"),
]  # fmt: skip


def _rss_title(xml_title: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Press</title><item>'
            f"<title>{xml_title}</title><link>https://press.example/1</link></item>"
            "</channel></rss>").encode()  # fmt: skip


def _atom03_title(xml_title: str) -> bytes:
    return (f'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Blog</title><entry>'
            f'<title type="text/html" mode="escaped">{xml_title}</title><id>tag:x,2024:1</id>'
            "</entry></feed>").encode()  # fmt: skip


def _atom10_text_title(xml_title: str) -> bytes:
    return ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Tudum</title><id>urn:t</id>'
            f'<entry><title type="text">{xml_title}</title><id>tag:y,2024:1</id></entry>'
            "</feed>").encode()  # fmt: skip


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(("markup", "expected"), MARKUP_TITLES)
@pytest.mark.parametrize(
    "document",
    [
        lambda m: _rss_title(_escaped(m)),
        lambda m: _rss_title(f"<![CDATA[{m}]]>"),
        lambda m: _atom03_title(_escaped(m)),
        lambda m: _atom10_text_title(_escaped(m)),
    ],
    ids=["rss-escaped", "rss-cdata", "atom03-escaped-html", "atom10-text"],
)
def test_markup_in_a_title_is_plain_text(
    markup: str, expected: str, document: Callable[[str], bytes]
) -> None:
    title = parse(document(markup), URL).items[0].title
    assert title == expected
    for leftover in ("<", ">", "onsubmit", "location.href", "script", "executeMe", "alert"):
        assert leftover not in title


def test_markup_in_the_feed_title_and_a_plain_summary_is_plain_text_too() -> None:
    body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">&lt;b&gt;Tudum'
            '&lt;/b&gt;</title><id>urn:t</id><entry><title>x</title><id>tag:y,2024:1</id>'
            '<summary type="text">Read &lt;img src="x" onerror="alert(1)"/&gt;this</summary>'
            "</entry></feed>")  # fmt: skip
    feed = parse(body.encode(), URL)
    assert (feed.title, feed.items[0].summary) == ("Tudum", "Read this")


@pytest.mark.parametrize(
    "title",
    [
        "Netflix <All of Us Are Dead> season 2 confirmed",  # a title in brackets, not a tag
        "넷플릭스 <지금 우리 학교는> 시즌2 제작 확정",
        "Fans <3 the cast & crew: 5 < 6",
    ],
)
def test_angle_brackets_that_are_not_markup_stay(title: str) -> None:
    assert parse(_rss_title(_escaped(title)), URL).items[0].title == title


def test_malformed_xml_still_yields_its_items() -> None:
    feed = parse(MALFORMED, URL)
    assert feed.kind == "RSS 2.0" and feed.title == "Broken & proud"
    assert [(i.title, i.link) for i in feed.items] == [
        ("First item", "https://broken.example/1"),
        ("Second item", "https://broken.example/2"),
    ]
    assert feed.not_well_formed == "line 1, column 82: not well-formed (invalid token)"


def test_a_well_formed_feed_has_no_complaint() -> None:
    for document in (RSS20.encode(), RSS10.encode(), ATOM10.encode(), KOREAN.encode("euc-kr")):
        assert parse(document, URL).not_well_formed is None
    # bytes that are not the declared encoding are read as another: an encoding, not XML, issue
    latin = RSS20.encode().replace(b"friends", b"caf\xe9")  # declared UTF-8
    assert parse(latin, URL).not_well_formed is None


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        (b'<rss version="2.0"><channel><title>t</title>\n<item><title>a</b></title></item>'
         b"</channel></rss>", "line 2, column 17: mismatched tag"),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>\n'
         b"<item><title>a</b></title></item></channel></rss>", "line 3, column 17: mismatched tag"),
        (b'\xef\xbb\xbf<rss version="2.0"><channel><title>t</title>\n<item><title>a</b>'
         b"</title></item></channel></rss>", "line 2, column 17: mismatched tag"),
        ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>t</title>'
         "\n<item><title>a &amp b</title></item></channel></rss>".encode("utf-16"),
         "line 2, column 20: not well-formed (invalid token)"),
        (b'<rss version="2.0"><channel><title>t</title><item><title>unended</title>',
         "line 1, column 73: no element found"),
    ],
    ids=["mismatched", "declared", "bom", "utf-16", "unended"],
)  # fmt: skip
def test_not_well_formed_xml_is_read_with_the_parsers_first_complaint(
    document: bytes, complaint: str
) -> None:
    """The line is the feed's own, whether or not it declared itself XML."""
    feed = parse(document, URL)
    assert feed.not_well_formed == complaint
    assert len(feed.items) == 1


def test_a_complaint_is_bounded_and_cleaned() -> None:
    name = "x" * 5000
    document = f'<rss version="2.0"><channel><item><title>a</title></item><{name}></channel>'
    complaint = parse(document.encode(), URL).not_well_formed
    assert complaint is not None and len(complaint) <= 200


# --- hostile input ---------------------------------------------------------------------------

_LOL = [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10)]
LAUGHS = "".join(_LOL).replace("&lol0;", "lol")  # &lol9; is 10^9 times "lol"
QUADRATIC = '<!ENTITY big "' + "x" * 10_000 + '">\n'


def _bomb(entities: str, reference: str, times: int) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [
{entities}]>
<rss version="2.0"><channel><title>Bomb {reference}</title>
<item><title>Boom</title><link>https://bomb.example/1</link>
<description>{reference * times}</description></item></channel></rss>"""


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("billion laughs", _bomb(LAUGHS, "&lol9;", 1)),
        ("quadratic blowup", _bomb(QUADRATIC, "&big;", 30_000)),  # would be 300 MB expanded
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_bombs_finish_fast_and_small(name: str, document: str, encoding: str) -> None:
    if encoding != "utf-8":
        document = document.replace('version="1.0"?>', f'version="1.0" encoding="{encoding}"?>')
    start = time.monotonic()
    try:
        feed = parse(document.encode(encoding), URL)
    except FeedError as error:
        assert error.reason_key in {"not_a_feed", "too_large"}
    else:
        item = feed.items[0]
        assert len(feed.title) <= TITLE and len(item.summary) <= SUMMARY
        assert "x" * 1000 not in item.summary and "lollollol" not in item.summary  # unexpanded
        assert item.link == "https://bomb.example/1"  # the rest of the feed still reads
    assert time.monotonic() - start < 1.5, name


def test_any_entity_declaration_is_refused_even_a_harmless_one() -> None:
    """No feed needs entities of its own, and a harmless one looks like a bomb's first step."""
    document = _bomb('<!ENTITY nbsp "&#160;">\n', "&nbsp;", 1).replace("Boom", "Boom&nbsp;!")
    with pytest.raises(FeedError) as caught:
        parse(document.encode(), URL)
    assert caught.value.reason_key == "not_a_feed" and "entities" in str(caught.value)


def test_html_entities_without_a_declaration_still_read() -> None:
    document = _bomb("", "", 1).replace("Boom", "Boom&amp;Bang")
    assert parse(document.encode(), URL).items[0].title == "Boom&Bang"


def test_a_flood_of_markup_is_refused_before_parsing() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><description>'
    body += b"<b>" * (5 * 1024 * 1024 // 3) + b"</description></item></channel></rss>"
    start = time.monotonic()
    with pytest.raises(FeedError) as caught:
        parse(body, URL)
    assert caught.value.reason_key == "too_large"
    assert time.monotonic() - start < 1.0


def test_too_many_items_are_refused() -> None:
    items = "".join(f"<entry><title>{i}</title></entry>" for i in range(xml_guard.MAX_ITEMS + 1))
    body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{items}</feed>'
    with pytest.raises(FeedError) as caught:
        parse(body.encode(), URL)
    assert caught.value.reason_key == "too_large"
    fewer = body.replace("<entry><title>0</title></entry>", "")
    assert len(parse(fewer.encode(), URL).items) == xml_guard.MAX_ITEMS


@pytest.mark.parametrize(
    "body",
    [
        b"",
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 500,
        b"<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
        b'<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>',
        b'{"items": [{"title": "json is not a feed"}]}',
    ],
)
def test_garbage_and_other_documents_are_not_feeds(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse(body, URL)
    assert caught.value.reason_key == "not_a_feed"


def test_a_body_naming_a_file_or_url_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedparser reads a str or bytes that looks like a path or a URL from there."""
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(RSS20)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("parse tried to connect")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for body in (str(feed_file).encode(), b"http://127.0.0.1:9/feed.xml", b"file:///etc/hosts"):
        with pytest.raises(FeedError) as caught:
            parse(body, URL)
        assert caught.value.reason_key == "not_a_feed"
