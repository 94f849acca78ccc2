"""Lazy package exports: `from academy.data import table` imports `academy.data.canonical`
only when `table` is first read, so importing a package stays cheap (a lesson kernel, the
CLI's start-up) whatever its public surface holds."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports each name from the module
    `exports` gives for it, once, and keeps it in the package's namespace."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
