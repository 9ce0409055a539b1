"""Renderers: PDFs and files made from plain data (no database, no Qt)."""
