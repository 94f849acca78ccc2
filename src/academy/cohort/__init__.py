"""The trainer's cohort workflow over nbgrader: roster, release, import, sandboxed parallel
grading, feedback, export, report and certificates. `academy cohort --help` lists the
commands; site/teach-cohorts.md walks through them."""
