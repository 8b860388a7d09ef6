"""News feeds: fetching, parsing and matching, with no Discord and no database in them.

`fetch` downloads one feed safely (public addresses only, bounded size and time, conditional
requests), `parse` reads every common feed format into plain, bounded text, and `match` decides
which items concern the show and which are the same story seen before.
"""

FEEDS = "feeds"  # wake topic: a feed was added, so the poller looks now
NEWS = "news"  # notification kind: an item announced to every server
REVIEW = "feed_review"  # notification kind: an item waiting in the review channel
