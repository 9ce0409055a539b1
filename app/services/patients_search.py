"""Normalizing names for search (shared by registration and the demo office)."""

from __future__ import annotations

import unicodedata


def search_key(name: str) -> str:
    """Upper case, accents removed, only letters and digits: ``O'Brien`` -> ``OBRIEN``."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).upper()
