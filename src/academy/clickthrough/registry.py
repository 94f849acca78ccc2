"""How the click-through vocabulary is registered: by looking, never by a hand-kept list.

Query operations live in `academy.clickthrough.ops`, step kinds in
`academy.clickthrough.kinds`; every module there holds one or more classes, and
`discover` finds each class that carries a name. The pydantic unions that read lesson
files, the lists in error messages and the reference page are all built from what it
finds, so a new operation or step kind is written in one file and nowhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Annotated, Any, TypeVar, Union

from pydantic import Discriminator, Tag

B = TypeVar("B")


def modules(package: ModuleType) -> list[ModuleType]:
    """The modules of a vocabulary package, by name (`base` holds the shared base class)."""
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "base")
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def discover(package: ModuleType, base: type[B]) -> dict[str, type[B]]:
    """{name: class} of every subclass of `base` with a `name`, written in the package's
    modules, module by module and in the order each module writes them (a subclass without
    a name is a shared base)."""
    found: dict[str, type[B]] = {}
    for module in modules(package):
        for value in vars(module).values():
            if not (
                isinstance(value, type)
                and issubclass(value, base)
                and value.__module__ == module.__name__
            ):
                continue
            name = getattr(value, "name", None)
            if isinstance(name, str) and name:
                if name in found:
                    raise TypeError(f"{name!r} is defined twice: {found[name]} and {value}")
                found[name] = value
    return found


def tagged_union(
    entries: dict[str, type],
    tag: Callable[[str], str],
    pick: Callable[[Any], str | None],
    error_type: str,
    error_message: str,
) -> Any:
    """`Annotated[A | B | ..., Discriminator]`: pydantic reads each item as the class `pick`
    names, and gives `error_type` (with `error_message`) when it names none of them."""
    members = tuple(Annotated[cls, Tag(tag(name))] for name, cls in entries.items())
    return Annotated[
        Union[members],  # noqa: UP007  (a union built from a tuple needs the Union form)
        Discriminator(pick, custom_error_type=error_type, custom_error_message=error_message),
    ]
