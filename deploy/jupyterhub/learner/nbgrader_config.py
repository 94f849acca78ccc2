# A learner's nbgrader: the cohort's released exercises through the exchange, fetched
# and submitted from JupyterLab's Assignments tab. Set by the hub for each learner's
# server (deploy/jupyterhub/jupyterhub_config.py); nothing here is the learner's to change.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = os.environ["ACADEMY_COHORT"]
c.Exchange.root = os.environ["ACADEMY_EXCHANGE"]
# Hand-ins carry the hub user (the roster id), not the server's Linux user name.
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
