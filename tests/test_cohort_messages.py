"""Feedback messages: detail for visible checks only, never anything from a hidden one."""

from __future__ import annotations

from academy.cohort.messages import explain_test, failing_line
from academy.cohort.settings import GradingLimits

LIMITS = GradingLimits(cell_timeout=7)
SOURCE = (
    'assert total([1, 2, 3]) == 6, "total([1, 2, 3]) should add the three numbers"\n'
    "### BEGIN HIDDEN TESTS\n"
    'assert total([-4, 4, 10]) == 10, "secret case -4, 4, 10"\n'
    "### END HIDDEN TESTS"
)


def _cell(ename: str, evalue: str, line: int, count: int = 5) -> dict:
    traceback = [
        "\x1b[31m---------------------------------------------------------------\x1b[39m",
        f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[{count}]\x1b[39m\x1b[32m, line {line}\x1b[39m",
        f"\x1b[31m{ename}\x1b[39m: {evalue}",
    ]
    return {
        "source": SOURCE,
        "execution_count": count,
        "outputs": [
            {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
        ],
    }


def test_the_failing_line_is_read_from_the_cells_own_frame():
    assert failing_line(_cell("AssertionError", "x", 3)["outputs"][0], 5) == 3
    assert failing_line(_cell("AssertionError", "x", 3, count=4)["outputs"][0], 5) is None


def test_a_visible_failure_shows_its_message():
    verdict = explain_test(
        _cell("AssertionError", "total([1, 2, 3]) should add the three numbers", 1),
        0,
        2,
        True,
        [],
        LIMITS,
    )
    assert verdict.status == "failed"
    assert verdict.message == "A check did not pass: total([1, 2, 3]) should add the three numbers"


def test_a_hidden_failure_reveals_nothing():
    verdict = explain_test(
        _cell("AssertionError", "secret case -4, 4, 10", 3), 0, 2, True, [], LIMITS
    )
    assert "secret" not in verdict.message and "-4" not in verdict.message
    assert "hidden" in verdict.message
    crash = explain_test(_cell("KeyError", "'secret_column'", 3), 0, 2, True, [], LIMITS)
    assert "secret" not in crash.message and "KeyError" not in crash.message
    assert "key or column that does not exist" in crash.message


def test_an_unplaceable_error_is_treated_as_hidden():
    cell = _cell("AssertionError", "secret case", 1)
    cell["outputs"][0]["traceback"] = []
    assert "secret" not in explain_test(cell, 0, 2, True, [], LIMITS).message


def test_timeouts_not_attempted_and_partial_credit():
    timeout = {
        "source": SOURCE,
        "execution_count": 5,
        "outputs": [
            {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []},
            {"output_type": "error", "ename": "CellTimeoutError", "evalue": "", "traceback": []},
        ],
    }
    assert "longer than 7 seconds" in explain_test(timeout, 0, 2, True, [], LIMITS).message
    assert (
        explain_test(_cell("NameError", "x", 1), 0, 2, False, [], LIMITS).status == "not-attempted"
    )
    partial = {"source": SOURCE, "execution_count": 5, "outputs": []}
    assert explain_test(partial, 1, 2, True, [], LIMITS).status == "partial"
    assert explain_test(partial, 2, 2, False, [], LIMITS).status == "passed"


def test_not_attempted_is_recognised_by_the_exception_name():
    from academy.lesson.exercise import NotAttempted

    said = "total: not attempted yet. Run the cell that defines it, and keep its name."
    cell = _cell(NotAttempted.__name__, said, 1)
    verdict = explain_test(cell, 0, 2, True, [], LIMITS)
    assert (verdict.status, verdict.message) == ("not-attempted", said)
    # the same words in a plain AssertionError are an ordinary failed check
    other = explain_test(_cell("AssertionError", "not attempted yet", 1), 0, 2, True, [], LIMITS)
    assert other.status == "failed"
    # raised from a hidden line: the status still says so, but no text from the hidden test
    hidden = explain_test(_cell(NotAttempted.__name__, "secret case", 3), 0, 2, True, [], LIMITS)
    assert hidden.status == "not-attempted" and "secret" not in hidden.message


PAYLOAD = "DATABASE_URL=postgres://trainer:hunter2@db/academy"


def test_a_visible_check_never_repeats_text_the_author_did_not_write():
    verdict = explain_test(_cell("AssertionError", PAYLOAD, 1), 0, 2, True, [], LIMITS)
    assert "hunter2" not in verdict.message
    # the learner sees the line of the check instead, which they can read anyway
    assert verdict.message == "A check did not pass: " + SOURCE.splitlines()[0]


def test_placeholders_keep_only_words_already_in_the_notebook():
    source = (
        "result = total([1])\n"
        'assert isinstance(result, int), f"total should return an int, not {type(result).__name__}."\n'
        "### BEGIN HIDDEN TESTS\nassert total([5]) == 5\n### END HIDDEN TESTS"
    )
    cell = {**_cell("AssertionError", "", 2), "source": source}
    for value, shown in (("str", "str"), ("DataFrame", "DataFrame"), ("assert_total_5_eq_5", "…")):
        cell["outputs"][0]["evalue"] = f"total should return an int, not {value}."
        message = explain_test(cell, 0, 2, True, [], LIMITS).message
        assert message == f"A check did not pass: total should return an int, not {shown}."


def test_errors_show_only_known_shapes_and_names():
    crash = explain_test(_cell("MyLeak", PAYLOAD, 1), 0, 2, True, [], LIMITS)
    assert "MyLeak" not in crash.message and "hunter2" not in crash.message
    assert crash.message.startswith("A check stopped with an error")
    named = explain_test(
        _cell("NameError", "name 'total' is not defined", 1), 0, 2, True, [], LIMITS
    )
    assert "(name 'total' is not defined)" in named.message
    odd = explain_test(
        _cell("NameError", "name 'hunter2' is not defined", 1), 0, 2, True, [], LIMITS
    )
    assert "hunter2" not in odd.message and "NameError" in odd.message


def test_a_forged_line_number_cannot_crash_or_reveal():
    for line in (0, 99, -3):
        verdict = explain_test(_cell("AssertionError", PAYLOAD, line), 0, 2, True, [], LIMITS)
        assert verdict.status == "failed" and "hunter2" not in verdict.message


def test_a_syntax_error_names_the_line_not_a_temporary_file():
    from academy.cohort.messages import answer_problem

    answer = {
        "source": "def total(values)\n    return sum(values)",
        "outputs": [
            {
                "output_type": "error",
                "ename": "SyntaxError",
                "evalue": "expected ':' (708645348.py, line 1)",
                "traceback": [],
            }
        ],
    }
    message = answer_problem([answer], LIMITS)
    assert message is not None and ".py" not in message and "708645348" not in message
    assert "line 1: expected ':'" in message


def test_messages_are_one_clean_line():
    from academy.cohort.quoting import clean

    assert clean("a\u202eevil\u200b\x1b[31m\nb") == "aevil [31m b"
    assert len(clean("x" * 1000)) == 300
