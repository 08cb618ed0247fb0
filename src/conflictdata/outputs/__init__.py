"""Outputs: what users take away from a validated package.

- loading: `load` and `load_table`, typed pandas frames.
- export: `export()` and its atomic writes; the formats are in export_sql (SQLite, DuckDB, with
  the analysis views) and export_files (GeoJSON, JSON Lines, spreadsheet-safe CSV), on the
  shared ground of export_values (the validated tables read once, cells as Python values).
- report: the static HTML report of a package; its SVG charts are in charts, its map in
  report_map (country outlines from geodata/countries.json, provenance in geodata/SOURCE.md), its
  HTML tables (counts, validation, actors, sources, data dictionary) in report_tables, its CSS and
  script in report_page.
- analysis: the analysis views (claims by claimant, monthly totals ...).
- render: findings as text, JSON, SARIF, GitHub annotations; render_diff: a diff as text or JSON.
"""

from ..contract.lazy import lazy_exports

__all__ = ["load", "load_table", "write_report"]

__getattr__ = lazy_exports(__name__, {"load": "loading", "load_table": "loading", "write_report": "report"})
