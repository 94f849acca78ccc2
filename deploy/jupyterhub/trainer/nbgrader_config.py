# A trainer's nbgrader: formgrader and the create-assignment tools on the cohort folder
# that `academy cohort create` made (its own nbgrader_config.py holds the course id and
# the gradebook), plus the hub's exchange for release and collect.
import os

c = get_config()  # noqa: F821
load_subconfig(os.path.join(os.environ["ACADEMY_COHORT_DIR"], "nbgrader_config.py"))  # noqa: F821
c.Exchange.root = os.environ["ACADEMY_EXCHANGE"]
