"""Helpers shared by test modules; fixtures live in the conftest.py files. No test module imports another."""
