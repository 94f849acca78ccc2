"""Sphinx extensions loaded into every course book: the lesson frame (objectives, key
points, footer), the printable click-through pages, and each notebook lesson offered for
download as a notebook (.ipynb)."""
