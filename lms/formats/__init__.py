"""Date formats: one style in every language, "23 november 2026" / "23 November 2026".

FORMAT_MODULE_PATH points here; templates use plain ``|date`` (DATE_FORMAT) or
``|date:"DATETIME_FORMAT"``, so these files are the one place the style is set.
Anything not set here falls back to Django's own locale formats (input formats).
"""
