"""Sphinx extensions loaded into every course book: the lesson frame (objectives, key
points, footer) and the printable click-through pages."""
