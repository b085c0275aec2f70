"""The coverage and health dashboard: server-rendered HTML with inline CSS and SVG, no JavaScript."""
