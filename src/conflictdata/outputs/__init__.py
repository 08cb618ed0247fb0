"""Outputs: what users take away from a validated package.

- loading: `load` and `load_table`, typed pandas frames.
- export: SQLite, DuckDB, Parquet and CSV exports (with the analysis views).
- report: the HTML/Markdown report of a package.
- analysis: the analysis views (claims by claimant, monthly totals ...).
- render: findings as text, JSON, SARIF, GitHub annotations; render_diff: a diff as text or JSON.
"""

from ..contract.lazy import lazy_exports

__all__ = ["load", "load_table", "write_report"]

__getattr__ = lazy_exports(__name__, {"load": "loading", "load_table": "loading", "write_report": "report"})
