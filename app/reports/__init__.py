"""Renderers: PDFs (reportlab) and file exports (CSV, XLSX). Pure functions of
the plain results the services return; no session, no Qt."""
