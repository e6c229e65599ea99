"""How many examples a property test draws: all of them in the full tier (`make test`), a
quarter in the fast unit tier (`make test-unit`, HYPOTHESIS_PROFILE=unit), which must stay
under a minute while the properties still run on every change."""

from __future__ import annotations

import os


def examples(n: int) -> int:
    """``n``, or a quarter of it (at least ten) in the fast unit tier."""
    return max(10, n // 4) if os.environ.get("HYPOTHESIS_PROFILE") == "unit" else n
