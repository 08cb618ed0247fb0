"""Everything the Spark engine takes from the rest of conflictdata, in one place.

The modules below may move (issue 13 splits the package into subpackages); only these lines then
need retargeting.
"""

from ..contract.errors import UnusableInputError
from ..contract.findings import Finding, Report
from ..contract.names import DESCRIPTOR, PARQUET_KEY
from ..contract.package import Package, Resource, open_package, safe_join, table_of_file
from ..contract.schema import DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec, delegated_fields, field_specs
from ..reading.columns import _DATE, _INT, _NUM, arrow_strings
from ..reading.tables import TYPE_HINTS, Table, _finish, _match_header, _read_csv_part, read_table, shift_row, take
from ..reading.parquet import parquet_rows, read_parquet_strings
from ..reading.csvfile import guess_header_row, nul_finding, utf8_finding
from ..reading.delimiters import sniff_delimiter
from ..reading.formats import source_of
from ..checking.check import Run
from ..checking.canonical import canonical_findings
from ..checking.files import check_copy_integrity, check_parquet_copy
from ..checking.rules import SCOPES, clock
from ..checking.rules.registry import RuleCheck
from ..checking.acknowledge import rule_names as _rule_names
from ..checking.constraints import _constraint_message, _limit_text, check_constraints, check_unique, failure_text
from ..checking.delegated import _delegated_findings
from ..checking.primary_key import check_primary_key
from ..checking.keys import first_at
from ..checking import acknowledge, rules
from ..checking import canonical as fmt

__all__ = ["Finding", "Report", "DESCRIPTOR", "PARQUET_KEY", "Package", "Resource", "open_package", "table_of_file", "DEFAULT_FALSE", "DEFAULT_TRUE",
           "FieldSpec", "field_specs", "_DATE", "_INT", "_NUM", "delegated_fields", "TYPE_HINTS", "Table", "_finish",
           "_match_header", "_read_csv_part", "read_table", "_constraint_message", "_delegated_findings", "_limit_text", "_rule_names",
           "check_constraints", "check_primary_key", "check_unique", "failure_text", "acknowledge", "fmt", "rules", "UnusableInputError",
           "shift_row", "take", "read_parquet_strings", "Run", "canonical_findings", "check_copy_integrity", "check_parquet_copy", "SCOPES",
           "clock", "RuleCheck", "first_at", "guess_header_row", "nul_finding", "utf8_finding", "sniff_delimiter", "source_of", "arrow_strings",
           "safe_join", "parquet_rows"]
