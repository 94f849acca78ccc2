"""The academy website: the mkdocs plugin and the catalogue and reference pages it
generates from curriculum/."""
