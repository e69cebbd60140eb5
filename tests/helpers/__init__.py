"""Builders shared by several test packages: ``from tests.helpers.tiny_e5 import build_tiny_e5``."""
