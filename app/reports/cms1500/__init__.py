"""CMS-1500 (02/12): one field map (claim snapshot -> item values) and two
renderers: data only on pre-printed red forms, and the whole form drawn on
plain paper. See ``docs/claims.md`` and the shared grid reference."""

from app.reports.cms1500.fieldmap import LINES_PER_FORM, FormValues, field_map

__all__ = ["LINES_PER_FORM", "FormValues", "field_map"]
