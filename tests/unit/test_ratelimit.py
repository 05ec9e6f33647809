"""The token buckets behind every rate limit: a burst, then one attempt per interval; a refused
attempt takes nothing; memory stays bounded under a flood of keys."""

from __future__ import annotations

from queue_server.domain.ratelimit import Buckets, Rule


def test_a_burst_then_one_attempt_per_interval():
    b = Buckets(Rule(burst=3, every=10.0))
    assert [b.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("k", 0.0) == 10.0 and b.take("k", 4.0) == 6.0  # refused, and nothing taken
    assert b.wait("k", 9.9) > 0 and b.take("k", 10.0) == 0.0 and b.take("k", 10.0) > 0
    assert b.take("other", 0.0) == 0.0  # keys are apart
    b.give_back("k", 10.0)
    assert b.take("k", 10.0) == 0.0
    assert b.wait("k", 40.0) == 0.0 and [b.take("k", 1000.0) for _ in range(4)].count(0.0) == 3  # refills to the burst


def test_a_flood_of_new_keys_keeps_memory_bounded():
    b = Buckets(Rule(burst=2, every=1.0), max_keys=100)
    for i in range(10_000):
        b.take(f"addr{i}", i * 0.001)
    assert len(b._state) <= 100
