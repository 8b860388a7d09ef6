"""Keywords (English and Korean, however spaced or cased) and the keys that make a story new
only once: links without tracking parameters and near-identical headlines."""

from __future__ import annotations

import pytest

from bot.feeds.match import (
    MAX_KEYWORD,
    MAX_KEYWORDS,
    KeywordError,
    canonical_link,
    default_keywords,
    fold,
    matches,
    parse_keywords,
    same_story,
    title_key,
)

# --- keywords --------------------------------------------------------------------------------


def test_the_default_keywords_name_the_show_in_both_languages() -> None:
    keys = {fold(k) for k in default_keywords()}
    assert {"allofusaredead", "지금우리학교는", "지우학"} <= keys


@pytest.mark.parametrize(
    "title",
    [
        "Netflix confirms ALL OF US ARE DEAD season 2",
        "'All-of-Us-Are-Dead' returns",
        "#AllOfUsAreDead trends again",
        "All of us are dead: ｓｅａｓｏｎ ２",  # full-width letters
        "넷플릭스 '지금 우리 학교는' 시즌2 제작 확정",
        "[단독] 지금우리학교는 시즌2 촬영 돌입",
        "‘지우학’ 박지후, 신작 출연",
        "Zombie hit 'All of Us Is Dead' breaks a record",
    ],
)
def test_the_show_is_recognised_in_a_title(title: str) -> None:
    assert matches(default_keywords(), title, "")


def test_a_keyword_in_the_summary_is_enough() -> None:
    summary = "Park Ji-hu, known from 지금 우리 학교는, joins a new drama."
    assert matches(default_keywords(), "Actress joins new drama", summary)


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Squid Game season 3 review", "The games are back."),
        ("All of us are tired of reboots", "Dead end for the franchise."),
        ("지금 우리 학교에 필요한 것", "교육부 발표"),  # "our school now" in plain Korean news
        ("", ""),
    ],
)
def test_other_news_does_not_match(title: str, summary: str) -> None:
    assert not matches(default_keywords(), title, summary)


def test_title_and_summary_are_not_joined_into_a_match() -> None:
    assert not matches(("zombie school",), "A new zombie", "School starts in May")
    assert matches(("zombie school",), "A new Zombie-School drama", "")


def test_a_moderators_keywords() -> None:
    assert parse_keywords(
        " 박지후 , Park Ji-hu,,  Yoon  Chan-young ，윤찬영、 !!! , park jihu"
    ) == (
        "박지후",
        "Park Ji-hu",
        "Yoon Chan-young",
        "윤찬영",
    )  # trimmed, inner spaces collapsed, repeats (as folded) and punctuation alone dropped
    assert parse_keywords("") == ()
    keywords = parse_keywords("Ji-hu, 지우학")
    assert matches(keywords, "PARK JIHU interview", "")
    assert matches(keywords, "", "#지우학 2")
    assert not matches(keywords, "Yoon Chan-young interview", "")


def test_keyword_limits() -> None:
    at_most = ", ".join(f"word{i}" for i in range(MAX_KEYWORDS))
    assert len(parse_keywords(at_most)) == MAX_KEYWORDS
    assert len(parse_keywords(at_most + ", word0")) == MAX_KEYWORDS  # a repeat is not one more
    with pytest.raises(KeywordError) as caught:
        parse_keywords(at_most + ", one more")
    assert caught.value.reason == "too_many"
    assert parse_keywords("x" * MAX_KEYWORD) == ("x" * MAX_KEYWORD,)
    with pytest.raises(KeywordError) as caught:
        parse_keywords("ok, " + "좀" * (MAX_KEYWORD + 1))
    assert caught.value.reason == "too_long"


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.soompi.com/article/1650000wpp/all-of-us-are-dead-2",
            "HTTP://Soompi.com/article/1650000wpp/all-of-us-are-dead-2/"
            "?utm_source=twitter&utm_medium=social&fbclid=IwAR0abc#comments",
        ),
        (
            "https://news.example/view?id=7&page=2",
            "https://news.example/view?page=2&gclid=x&id=7&mc_cid=1&mc_eid=2&igshid=3&ref=home",
        ),
        (
            "https://n.news.naver.com/article/001/0014",
            "https://n.news.naver.com:443/article/001/0014",
        ),
        ("https://kr.example/연예/1", "https://kr.example/%EC%97%B0%EC%98%88/1"),
    ],
)
def test_links_to_the_same_page_share_a_key(a: str, b: str) -> None:
    assert canonical_link(a) == canonical_link(b)


def test_the_key_of_a_link() -> None:
    key = canonical_link("HTTPS://WWW.Example.COM/News/?b=2&a=1&utm_campaign=x#top")
    assert key == "https://example.com/News?a=1&b=2"  # the path keeps its case
    assert canonical_link("https://example.com/") == "https://example.com"
    assert canonical_link("https://example.com:8443/x") == "https://example.com:8443/x"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://news.example/view?id=7", "https://news.example/view?id=8"),
        ("https://news.example/a", "https://news.example/b"),
        ("https://news.example/a", "https://other.example/a"),
        ("https://news.example/view?id=7", "https://news.example/view"),
    ],
)
def test_different_pages_keep_different_keys(a: str, b: str) -> None:
    assert canonical_link(a) != canonical_link(b)


def test_anything_but_a_web_link_is_kept_as_it_is() -> None:
    assert canonical_link("  tag:netflix.com,2024:1 ") == "tag:netflix.com,2024:1"
    assert canonical_link("http://[broken") == "http://[broken"
    assert canonical_link("") == ""


# --- titles ----------------------------------------------------------------------------------


def test_the_key_of_a_title() -> None:
    assert title_key(" Netflix confirms ‘All of Us Are Dead’ Season 2!! ") == (
        "netflix confirms all of us are dead season 2"
    )
    assert title_key("Park Ji-hu's new role") == title_key("Park Jihus new role")
    assert title_key("[단독] '지금 우리 학교는' 시즌2") == "단독 지금 우리 학교는 시즌2"


SAME = [
    (
        "Netflix confirms 'All of Us Are Dead' Season 2",
        "Netflix confirms “All of Us Are Dead” season 2!",
    ),
    (
        "Netflix confirms 'All of Us Are Dead' Season 2",
        "Netflix officially confirms 'All of Us Are Dead' Season 2",
    ),
    (
        "'All of Us Are Dead' Season 2 Begins Filming",
        "'All of Us Are Dead' Season 2 begins filming - Soompi",
    ),
    (
        "Park Ji-hu and Yoon Chan-young return for All of Us Are Dead 2",
        "Park Jihu and Yoon Chanyoung return for All of Us Are Dead 2",
    ),
    (
        "Zombie hit All of Us Are Dead tops Netflix chart",
        "Zombie hit All of Us Are Dead tops Netflix charts",
    ),
    ("'지금 우리 학교는' 시즌2 제작 확정", "[단독] '지금 우리 학교는' 시즌2 제작 확정"),
    ("'지금 우리 학교는' 시즌2 제작 확정", "지금 우리 학교는 시즌2, 제작 확정!"),
    (
        "넷플릭스 '지금 우리 학교는' 시즌2 제작 공식 확정",
        "넷플릭스 '지금 우리 학교는' 시즌2 제작 확정",
    ),
]
DIFFERENT = [
    (
        "'All of Us Are Dead' Season 2 begins filming",
        "'All of Us Are Dead' Season 2 release date announced",
    ),
    (
        "'All of Us Are Dead' Season 2 trailer released",
        "'All of Us Are Dead' Season 2 teaser released",
    ),
    ("All of Us Are Dead Season 2 cast announced", "All of Us Are Dead Season 3 cast announced"),
    ("Park Ji-hu joins new Netflix drama", "Yoon Chan-young joins new Netflix drama"),
    (
        "Netflix confirms 'All of Us Are Dead' Season 2",
        "Netflix denies 'All of Us Are Dead' Season 2 rumours",
    ),
    ("'지금 우리 학교는' 시즌2 촬영 시작", "'지금 우리 학교는' 시즌2 공개일 확정"),
    ("'지금 우리 학교는' 시즌2 예고편 공개", "'지금 우리 학교는' 시즌2 포스터 공개"),
    ("'지금 우리 학교는' 박지후, 신작 출연 확정", "'지금 우리 학교는' 윤찬영, 신작 출연 확정"),
    ("Teaser", "Teaser!!! now"),  # too short for "a word added" to mean the same story
    ("", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_near_identical_headlines_are_the_same_story(a: str, b: str) -> None:
    assert same_story(a, b) and same_story(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_stories_stay_different(a: str, b: str) -> None:
    assert not same_story(a, b) and not same_story(b, a)
