"""Dashboard views, one module per audience: trainer, organisation admin, staff."""
