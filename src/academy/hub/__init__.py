"""`academy hub`: the academy on JupyterHub for a cohort (deploy/jupyterhub/jupyterhub_config.py)."""
