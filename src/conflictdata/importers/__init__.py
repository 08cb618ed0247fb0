"""Importers: bringing openly licensed upstream datasets into the same contract as curated rows.

Each importer turns an upstream file into an `ImportBatch` (rows as strings, with ids derived from
upstream ids) and `merge.apply_import` writes it into a package: the rows the importer owns are
replaced, curated rows are never touched, and ids that disappear upstream are retracted.

- genstaff: the General Staff's daily claims of Russian personnel losses (and Invaders' POW figures);
  genstaff_equipment: its daily equipment-loss claims; oryx: Oryx's documented losses by model;
  ucdp: UCDP GED extracts.
- upstream: an upstream snapshot's provenance (its SOURCE.txt, its hash); merge: `apply_import`.
"""

from .merge import ImportBatch, ImportResult, apply_import

__all__ = ["ImportBatch", "ImportResult", "apply_import"]
