"""News feeds: fetching, parsing and matching, with no Discord and no database in them.

`fetch` downloads one feed safely (public addresses only, bounded size and time, conditional
requests), `parse` reads every common feed format into plain, bounded text, and `match` decides
which items concern the show and which are the same story seen before.
"""
