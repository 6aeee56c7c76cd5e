"""Every nnlite.optim optimizer against torch.optim, 30 steps in lockstep in float64.

The table and the variants (param groups with their own learning rates, a learning rate
changed through ``param_groups``, ``add_param_group`` and a ``state_dict`` round trip, all
mid-run) are in ``lockstep.py``.
"""

import numpy as np
import pytest

from tests.optim.lockstep import CASES, VARIANTS, run_lockstep, run_with_resume
from tests.optimizers.torch_lockstep import PROBLEMS


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_step_by_step(case, problem, variant):
    run_lockstep(case, problem, variant)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_state_dict_round_trip_resumes_with_the_same_bits(case):
    straight = run_with_resume(case, "network", None)
    resumed = run_with_resume(case, "network", 13)
    for a, b in zip(straight, resumed, strict=True):
        assert np.array_equal(a, b)


def test_every_case_has_a_distinct_name():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
