"""Typed models of the curriculum files: the one place their shape is defined.

Every model forbids unknown keys and describes every field; the JSON Schemas in
`academy schema` and the file-format reference page are generated from these
descriptions (the list of formats is `academy.checks.formats.FORMATS`).
"""

from __future__ import annotations

from pydantic import Field

from academy.core.strict import Frozen, Strict


class Academy(Strict):
    """`curriculum/academy.yml`: the academy as a whole."""

    name: str = Field(
        description="Name of the academy as learners see it, e.g. 'Baltimore Data Academy'."
    )
    tagline: str = Field(description="One sentence under the name on the home page.")
    organisation: str = Field(description="The city department that runs the academy.")
    city: str = Field(
        description="Id of the active city: a folder under datasets/ whose data the lessons use."
    )
    tracks: list[str] = Field(
        min_length=1, description="Track ids in the order learners should meet them."
    )


class Role(Strict):
    """A city job role and the learning path recommended for it."""

    id: str = Field(description="Stable kebab-case id, e.g. 'housing-inspector'.")
    title: str = Field(description="Job title as staff know it.")
    description: str = Field(description="One or two sentences: what this person does with data.")
    path: list[str] = Field(
        min_length=1, description="Course ids, in the order this role should take them."
    )


class RolesFile(Strict):
    """`curriculum/roles.yml`."""

    roles: list[Role] = Field(min_length=1, description="Every role the academy serves.")


class Objective(Strict):
    """A learning objective: something a learner can do afterwards."""

    id: str = Field(
        description="Stable kebab-case id, referenced by courses, lessons and exercises."
    )
    statement: str = Field(
        description="Verb-first statement of what the learner can do, e.g. 'Filter a table ...'."
    )


class ObjectivesFile(Strict):
    """`curriculum/objectives.yml`."""

    objectives: list[Objective] = Field(min_length=1, description="Every objective in the academy.")


class Course(Strict):
    """A course: one Jupyter Book under tracks/<track>/<course>/."""

    id: str = Field(description="Stable kebab-case id; also the folder name of the book.")
    title: str = Field(description="Course title as shown in the catalogue.")
    summary: str = Field(description="Two or three sentences a learner reads before choosing it.")
    outcomes: list[str] = Field(
        min_length=1,
        description="Objective ids this course teaches; each must be taught by a lesson.",
    )
    prerequisites: list[str] = Field(
        default_factory=list, description="Course ids a learner should finish first."
    )
    check: str | None = Field(
        default=None,
        description=(
            "The course's graded check: the name (without .yml) of one of its click-through "
            "lessons, in its clickthrough/ folder, whose questions are scored. The learner's "
            "first answer to each question is the score; the cohort report shows it and a "
            "certificate needs the cohort's pass mark. Each question names the objectives it "
            "assesses (`assesses:`)."
        ),
    )

    @property
    def check_docname(self) -> str | None:
        """The check's docname in the course book ('clickthrough/<name>'), if it has one."""
        return f"clickthrough/{self.check}" if self.check else None


class Track(Strict):
    """`curriculum/tracks/<track>.yml`: a track of courses for one audience."""

    id: str = Field(description="Stable kebab-case id; must match the file name.")
    title: str = Field(description="Track title as shown in the catalogue.")
    audience: str = Field(description="Who the track is for, in their own words.")
    summary: str = Field(description="What the track gives its learners.")
    prerequisites: list[str] = Field(
        default_factory=list, description="Track ids a learner should finish first."
    )
    outcomes: list[str] = Field(
        min_length=1, description="Objective ids a learner can do after the whole track."
    )
    graded: bool = Field(
        default=False,
        description=(
            "true: the track has graded practice, so every outcome of each of its courses must "
            "be assessed by a graded question of that course (an exercise's grade_ids, or a "
            "question of the course's graded check, `check:`, that lists it under "
            "`assesses:`); `academy validate` reports each outcome that is not."
        ),
    )
    courses: list[Course] = Field(min_length=1, description="Courses in the order to take them.")


LESSON_MAX_MINUTES = 120  # one sitting; a longer lesson is two lessons


class LessonMeta(Strict):
    """The `academy:` block in a lesson's front matter (click-through lessons extend it)."""

    objectives: list[str] = Field(
        min_length=1, description="Objective ids this lesson teaches; shown at the top of the page."
    )
    key_points: list[str] = Field(
        min_length=1, description="Plain sentences that sum up the lesson; shown at the end."
    )
    minutes: int = Field(
        gt=0,
        le=LESSON_MAX_MINUTES,
        description=(
            f"How long the lesson takes, in minutes (at most {LESSON_MAX_MINUTES}: one sitting; "
            "split a longer lesson in two)."
        ),
    )
    datasets: list[str] = Field(
        default_factory=list,
        description=(
            "Data the lesson reads: a canonical table name (e.g. 'service_requests') for the "
            "active city, or '<city>/<dataset>' for one published file."
        ),
    )
    needs: list[str] = Field(
        default_factory=list,
        description=(
            "Canonical columns the lesson cannot be taught without (e.g. [due_at]). For a "
            "city whose data does not publish one of them, the lesson is marked not available "
            "on its course page, with the reason, instead of being built. A lesson that only "
            "leaves out a step or a part for such a city does not list it."
        ),
    )
    otherwise: str | None = Field(
        default=None,
        description=(
            "A city whose data the lesson uses instead when the active city's data lacks "
            "what it needs (a canonical table it reads, a column under `needs:`), e.g. "
            "baltimore. The lesson then says whose data it shows and why."
        ),
    )


class ExerciseSidecar(Strict):
    """`exercises/source/<exercise>/exercise.yml`: what an nbgrader exercise assesses."""

    title: str = Field(description="Exercise title as trainers and learners see it.")
    course: str = Field(description="Id of the course this exercise belongs to.")
    notebook: str = Field(description="File name of the graded notebook in this folder.")
    minutes: int = Field(gt=0, le=480, description="Expected time to complete, in minutes.")
    datasets: list[str] = Field(
        default_factory=list, description="Canonical tables or '<city>/<dataset>' ids it reads."
    )
    grade_ids: dict[str, list[str]] = Field(
        min_length=1,
        description="Every graded cell's nbgrader grade_id mapped to the objective ids it assesses.",
    )


class SimilarQuestion(Frozen):
    """A worked solution to a question like the graded one, but not the same."""

    question: str = Field(description="The similar question, in one or two sentences.")
    code: str = Field(
        description="Python that answers it, run after the exercise's setup cells; it must "
        "assign its answer to `result`."
    )
    alt: str | None = Field(
        default=None, description="Text alternative when `result` is a chart (required then)."
    )


class PartHints(Frozen):
    """Help for one graded part."""

    hints: list[str] = Field(min_length=1, description="Hints, from gentle to specific.")
    similar: SimilarQuestion = Field(description="The worked example `solution()` shows.")


class WrongAnswer(Frozen):
    """A plausible wrong answer to an exercise, and the exact score it is designed to earn."""

    id: str = Field(description="Stable kebab-case id, e.g. 'fractions-not-percentages'.")
    mistake: str = Field(
        description="The mistake in a learner's words, e.g. 'Returned shares from 0 to 1'."
    )
    answers: dict[str, str] = Field(
        min_length=1,
        description=(
            "Answer cell grade_id -> the code a learner who makes this mistake writes there. "
            "Every other answer cell holds the model answer."
        ),
    )
    scores: dict[str, float] = Field(
        min_length=1,
        description=(
            "Graded cell grade_id -> the points this answer earns on it (0 up to the cell's "
            "points). Graded cells not listed earn full marks."
        ),
    )
    caught_by: list[str] = Field(
        default_factory=list,
        description=(
            "Graded cells whose visible checks fail this answer, so the practice lesson's "
            "check() and the notebook tell the learner before they hand in. Every other cell "
            "listed under scores must pass its visible checks: only the hidden tests catch it."
        ),
    )
    cities: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description=(
            "City id -> scores that differ in that city (same shape as scores), for a city "
            "whose data makes the mistake harmless or a part not applicable; say why in a "
            "comment."
        ),
    )

    def expected(self, city: str) -> dict[str, float]:
        """The scores this answer should earn in `city` (cells not listed: full marks)."""
        return {**self.scores, **self.cities.get(city, {})}


class WrongAnswersFile(Frozen):
    """`exercises/source/<exercise>/wrong-answers.yml`: plausible wrong answers and the
    partial credit each earns; the round-trip test grades every one for every city."""

    answers: list[WrongAnswer] = Field(
        min_length=2, description="At least two plausible wrong answers to the exercise."
    )


class HintsFile(Frozen):
    """`exercises/source/<exercise>/hints.yml`: the practice lesson's hints and worked examples."""

    parts: dict[str, PartHints] = Field(
        min_length=1,
        description="Every graded cell's nbgrader grade_id -> its hints and worked example.",
    )
