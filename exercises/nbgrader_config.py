"""nbgrader course root for the academy's graded exercises.

Trainers never grade here: `academy cohort` copies these exercises into a cohort folder
(an nbgrader course directory of its own) and grades there, in a sandbox.
The exercise notebooks read the city's data with `academy.data`, so the kernel that runs
them needs ACADEMY_ROOT (the academy checkout) and, offline, ACADEMY_DATA_DIR.
"""

c = get_config()  # provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "city-data-academy"
# Seconds one cell may run before it is stopped (nbgrader's default is 30).
c.Execute.timeout = 60
# Put back test cells a learner deleted, so they are graded instead of flagged.
c.OverwriteCells.add_missing_cells = True
