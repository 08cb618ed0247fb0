"""Everything the Spark engine takes from the rest of conflictdata, in one place.

The modules below may move (issue 13 splits the package into subpackages); only these lines then
need retargeting.
"""

from ..findings import Finding, Report
from ..package import DESCRIPTOR, Package, Resource, open_package, table_of_file
from ..schema import DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec, field_specs
from ..columns import _DATE, _INT, _NUM
from ..delegated import delegated_fields
from ..tables import TYPE_HINTS, Table, _finish, _match_header, _read_csv_part, read_table
from ..validation import (_constraint_message, _delegated_findings, _limit_text, _rule_names, check_constraints,
                          check_primary_key, check_unique)
from ..errors import UnusableInputError
from .. import acknowledge, fmt, rules

__all__ = ["Finding", "Report", "DESCRIPTOR", "Package", "Resource", "open_package", "table_of_file", "DEFAULT_FALSE", "DEFAULT_TRUE",
           "FieldSpec", "field_specs", "_DATE", "_INT", "_NUM", "delegated_fields", "TYPE_HINTS", "Table", "_finish",
           "_match_header", "_read_csv_part", "read_table", "_constraint_message", "_delegated_findings", "_limit_text", "_rule_names",
           "check_constraints", "check_primary_key", "check_unique", "acknowledge", "fmt", "rules", "UnusableInputError"]
