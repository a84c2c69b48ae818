from __future__ import annotations

import os
import pickle
import subprocess
import sys

from customer_model import PrioritizationPolicy


def _pickled_in_a_process_with_hash_seed(seed: str) -> bytes:
    code = (
        "import pickle, sys\n"
        "from customer_model import PrioritizationPolicy\n"
        "policy = PrioritizationPolicy(exchange_rates={'USD': 0.9, 'GBP': 1.2}, currency='EUR')\n"
        "hash(policy)\n"
        "sys.stdout.buffer.write(pickle.dumps(policy))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, env=env
    ).stdout


def test_a_pickled_map_hashes_like_a_fresh_one_in_another_process() -> None:
    # str hashes differ between processes; a cached hash must not travel.
    here = PrioritizationPolicy(exchange_rates={"USD": 0.9, "GBP": 1.2}, currency="EUR")
    for seed in ("1", "2"):
        there = pickle.loads(_pickled_in_a_process_with_hash_seed(seed))
        assert there == here
        assert hash(there) == hash(here)
        assert there in {here}


def test_pickle_keeps_items_and_order() -> None:
    # The policy's exchange rates are the library's read-only mapping.
    original = PrioritizationPolicy(
        exchange_rates={"USD": 0.9, "GBP": 1.2}, currency="EUR"
    ).exchange_rates
    hash(original)
    copy = pickle.loads(pickle.dumps(original))
    assert list(copy.items()) == [("GBP", 1.2), ("USD", 0.9)]
    assert copy == original
    assert hash(copy) == hash(original)
