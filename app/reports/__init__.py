"""Renderers: PDFs (reportlab) and exports. No Qt, no sessions of their own."""
