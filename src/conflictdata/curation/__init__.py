"""Curation: the commands that change a package (importers of upstream datasets are `conflictdata.importers`).

- fmt: rewrite the CSV files into canonical form (`conflictdata fmt`).
- curate: add one record (`conflictdata add`).
- lock: the package write lock every writer holds.
"""

from ..contract.lazy import lazy_exports

__all__ = ["format_package", "add_record", "package_lock"]

__getattr__ = lazy_exports(__name__, {"format_package": "fmt", "add_record": "curate", "package_lock": "lock"})
