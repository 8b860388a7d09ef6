from __future__ import annotations

import pytest

from bot.shards import shards_label, shards_of, share_a_shard


@pytest.mark.parametrize(
    ("ids", "count", "label", "shards"),
    [
        (None, None, "all", None),
        (None, 4, "all 4", {0, 1, 2, 3}),
        ([0, 1, 2, 3], 4, "all 4", {0, 1, 2, 3}),
        ([1], 2, "1 of 2", {1}),
        ([2, 0, 1], 8, "0-2 of 8", {0, 1, 2}),
        ([0, 2, 5], 8, "0, 2, 5 of 8", {0, 2, 5}),
    ],
)
def test_labels_read_back(
    ids: list[int] | None, count: int | None, label: str, shards: set[int] | None
) -> None:
    assert shards_label(ids, count) == label
    assert shards_of(label) == shards


def test_processes_sharing_a_shard_are_told_apart() -> None:
    assert not share_a_shard("0 of 2", "1 of 2")
    assert not share_a_shard("0-1 of 4", "2, 3 of 4")
    assert share_a_shard("0-2 of 4", "2, 3 of 4")
    assert share_a_shard("all", "1 of 2") and share_a_shard("all 2", "1 of 2")
