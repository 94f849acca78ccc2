"""Helpers a graded exercise's checks use, importable in the notebook and in practice.

An exercise notebook's locked `helpers` cell does::

    from academy.lesson.exercise import NotAttempted, answer_caller
    your_answer = answer_caller(globals())

and every check cell calls the learner's function through it::

    result = your_answer("missing_percent", requests)

A part the learner has not started (no such function, still `raise NotImplementedError()`,
or a function that returns nothing) raises `NotAttempted`. It is an `AssertionError`, so
nbgrader counts the part as failed (zero points), and it is recognised by its name (the
`ename` nbgrader records), never by its text: the cohort's feedback and `Practice.check()`
say "not attempted yet" instead of reporting an error.

This module imports nothing heavy: it runs in every grading kernel.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["NotAttempted", "answer_caller"]


class NotAttempted(AssertionError):
    """A graded part the learner has not started yet; counts as failed, not as an error."""


def answer_caller(namespace: Mapping[str, Any]) -> Callable[..., Any]:
    """`your_answer(name, *args)`: call the learner's function `name` from `namespace`.

    The namespace is read at call time (the notebook's `globals()`), so a function the
    learner defines or redefines after the helpers cell ran is the one called.
    """

    def your_answer(name: str, *args: Any) -> Any:
        function = namespace.get(name)
        if not callable(function):
            raise NotAttempted(
                f"{name}: not attempted yet. Run the cell that defines it, and keep its name."
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore"
                )  # a warning (a deprecation, say) is not a wrong answer
                result = function(*args)
        except NotImplementedError:
            raise NotAttempted(
                f"{name}: not attempted yet. Replace `raise NotImplementedError()` with your code."
            ) from None
        if result is None:
            raise NotAttempted(
                f"{name}: not attempted yet. The function returns nothing; end it with `return ...`."
            )
        return result

    return your_answer
