"""Reusable UI pieces: the page shell (`layout.template`) and form building blocks."""
