"""Jinja2 templates of the files providers generate (package data)."""
