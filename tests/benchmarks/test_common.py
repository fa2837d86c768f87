"""The benchmarks' memory sampling keeps out of the way of what it measures."""

from __future__ import annotations

import time

from benchmarks.common import SamplingPace


def test_a_costly_sample_waits_its_cost_divided_by_the_budget() -> None:
    pace = SamplingPace(budget=0.1, floor=0.01)
    assert pace.due()
    assert pace.sample(lambda: time.sleep(0.05) or 7) == 7
    assert not pace.due()  # 0.05 s of sampling at a 10 % budget: the next one in 0.5 s
    time.sleep(0.3)
    assert not pace.due()
    time.sleep(0.3)
    assert pace.due()


def test_a_cheap_sample_waits_the_floor() -> None:
    pace = SamplingPace(budget=0.1, floor=0.2)
    pace.sample(lambda: 1)
    assert not pace.due()
    time.sleep(0.25)
    assert pace.due()
