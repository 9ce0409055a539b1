"""Renderers: the office's printed and exported documents (reportlab, csv, xlsx)."""
