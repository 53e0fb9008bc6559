"""The benchmarks' verdicts: a figure is printed as meeting its target only if it does."""

from __future__ import annotations

import pytest

from benchmarks import against_target


@pytest.mark.parametrize(
    ("ratio", "target", "printed"),
    [
        (0.3996, 0.40, "39.9%   (target ≥ 40%: NOT met)"),  # not "40.0%"
        (0.40, 0.40, "40.0%   (target ≥ 40%: met)"),
        (0.4179, 0.40, "41.7%   (target ≥ 40%: met)"),
        (0.55, 0.50, "55.0%   (target ≥ 50%: met)"),
        (0.57, 0.50, "57.0%   (target ≥ 50%: met)"),  # 0.57 * 1000 is 569.99…
    ],
)
def test_a_ratio_is_printed_with_whether_it_meets_its_target(ratio, target, printed):
    assert against_target(ratio, target) == printed
