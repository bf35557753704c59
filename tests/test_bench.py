"""The benchmark's profiler names feedpub's functions by module and name: a function moved
or renamed must fail here, not in the middle of a 35-minute benchmark run."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from conftest import REPO


def test_bench_profile_names_only_functions_that_exist() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        profile_build: Any = importlib.import_module("profile_build")
    finally:
        sys.path.remove(str(REPO / "bench"))
    named = [profile_build.BUILD]
    named += [(module, name) for _, module, name in profile_build.STAGES]
    named += [(module, name) for _, module, name in profile_build.CATEGORIES]
    for module, qualname in named:
        code = profile_build.code_of(module, qualname)  # SystemExit names a drifted one
        assert isinstance(code, types.CodeType)
        assert code.co_name == qualname.rpartition(".")[2], (module, qualname)
