"""How a process's gateway shards are written for people ('0-1 of 4') and read back, to tell
when two processes run the same shard (each of its servers would be served twice)."""

from __future__ import annotations


def shards_label(shard_ids: list[int] | None, shard_count: int | None) -> str:
    """'0-1 of 4', '0, 2 of 4', 'all 4', or 'all' (every shard, however many)."""
    if shard_ids is None or shard_count is None or len(shard_ids) == shard_count:
        return "all" if shard_count is None else f"all {shard_count}"
    ids = sorted(shard_ids)
    if ids == list(range(ids[0], ids[-1] + 1)) and len(ids) > 1:
        return f"{ids[0]}-{ids[-1]} of {shard_count}"
    return f"{', '.join(map(str, ids))} of {shard_count}"


def parse_shard_ids(text: str) -> set[int]:
    """The shards of `0-3`, `0,2,5` or a mix of the two; ValueError for anything else."""
    found: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        bounds = (low.strip(), (high or low).strip())
        if not all(b.isdigit() for b in bounds) or int(bounds[0]) > int(bounds[1]):
            raise ValueError(f"not a shard or a range of shards: {part.strip()!r}")
        found.update(range(int(bounds[0]), int(bounds[1]) + 1))
    return found


def shards_of(label: str) -> set[int] | None:
    """The shards a label names; None for every shard (of a count not known yet)."""
    if label == "all":
        return None
    if label.startswith("all "):
        return set(range(int(label[4:])))
    return parse_shard_ids(label.rpartition(" of ")[0])


def share_a_shard(one: str, other: str) -> bool:
    a, b = shards_of(one), shards_of(other)
    return a is None or b is None or bool(a & b)
