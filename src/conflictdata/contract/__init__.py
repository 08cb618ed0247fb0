"""The contract: what a package is and what a finding is; every other layer builds on it.

- names: the names shared by every layer (descriptor files, custom descriptor keys, the version).
- schema: a Table Schema → field specs, pandas dtypes, Arrow/Parquet types, Pandera schemas; which
  fields the fast path delegates to frictionless.
- package: the descriptor and its resources (`open_package`, `open_file`).
- discovery: which package a command acts on (given, found here or above, or the bundled one).
- descriptor: descriptor files, JSON or YAML, package or single resource; where a JSON path is in one.
- metadata: the descriptor checked against the Data Package profile (by frictionless), rule `descriptor`.
- metadata_aside: that check run in a child process beside validation (frictionless's import stays off the GIL).
- dialect: a resource's CSV dialect (referenced by path, nested or flat) as one `Dialect`.
- findings: `Finding` and `Report`, what every check returns.
- errors: the exceptions the library raises.
- rulebook: the catalogue of rule names, with their descriptions.
- atomic: atomic file writes (its lowest user is `conflictdata.schemas.generate`).
- lazy: the lazy exports of these `__init__` files.

The generated Pandera models (`conflictdata.schemas`) belong to this layer too.
"""

from .lazy import lazy_exports

__all__ = ["Package", "Resource", "open_package", "Finding", "Report", "FieldSpec", "field_specs",
           "ConflictDataError", "InvalidDataError", "UnusableInputError", "IntegrityError"]

__getattr__ = lazy_exports(__name__, {
    "Package": "package", "Resource": "package", "open_package": "package",
    "Finding": "findings", "Report": "findings",
    "FieldSpec": "schema", "field_specs": "schema",
    "ConflictDataError": "errors", "InvalidDataError": "errors", "UnusableInputError": "errors", "IntegrityError": "errors",
})
