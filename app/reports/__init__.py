"""Renderers: printed sheets, forms and reports (reportlab PDF, CSV, XLSX)."""
