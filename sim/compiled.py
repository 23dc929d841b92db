"""Compiled loops for the passes over every resident row (numba).

A chain of numpy operations walks 1.4 million rows once per operation; a loop walks them once.
Each kernel sits next to the rule it evaluates and computes exactly what the numpy expression
would, in the same order and precision (the tests compare the two), so outputs do not depend on
whether a rule runs compiled. Random draws stay in numpy and are passed in. Kernels are compiled
for explicit signatures when their module is imported and cached on disk (``cache=True``), so
a run's time is spent on the run.
"""

from __future__ import annotations

import numba


def kernel(signature: str):
    """Compile a function for ``signature`` now; no Python objects, no bounds checks, no GIL."""
    return numba.njit(signature, cache=True, nogil=True, error_model="numpy")


def inline(function):
    """A helper of kernels, compiled into each kernel that calls it (a call that passes arrays
    costs more than the helper's work)."""
    return numba.njit(inline="always")(function)
