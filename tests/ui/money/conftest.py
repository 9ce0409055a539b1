"""Payments screen fixtures."""

from tests.ui.money.paper import paper

__all__ = ["paper"]
