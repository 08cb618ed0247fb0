"""The rule catalogue: every rule a finding can name, with what it means and how to fix it.

Findings carry their own precise message; this catalogue gives the rule's standing text, for the
outputs that describe rules apart from findings (SARIF's `rules`, JUnit test cases) and for
people looking a rule up. README's "Rules, by name" lists the same names (a test keeps them equal).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["RuleInfo", "RULEBOOK", "KNOWN_RULES", "describe", "unknown_rules", "closest_rule"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule: its name, what it checks (`summary`), how to fix a finding (`fix`), its group."""

    name: str
    summary: str
    fix: str
    group: str


_RULES: dict[str, dict[str, tuple[str, str]]] = {
    "descriptor": {
        "descriptor": ("The descriptor breaks the Data Package profile (v1 or v2, by its `$schema`/`profile`), as frictionless checks it.",
                       "Fix the property the finding's JSON path names, as its message says."),
    },
    "file": {
        "file": ("A resource's file cannot be read.", "Check the resource's path in datapackage.json and that the file exists."),
        "encoding": ("The file is not valid UTF-8, or holds NUL bytes.", "Re-save the file as UTF-8 (without NUL bytes)."),
        "csv-syntax": ("A record cannot be parsed: an unbalanced double quote.",
                       'Write a quote inside a cell twice (""), and wrap a cell holding a comma, quote or line break in double quotes.'),
        "wrong-delimiter": ("The file is separated by another character (; or tab) than the resource's dialect says.",
                            "Save the file as CSV with commas, or set the resource's dialect delimiter in datapackage.json."),
        "header": ("The file has no header row.", "Start the file with a header row naming the columns."),
        "missing-column": ("A column of the table's schema is absent from the header.", "Add the column (with empty cells if the field is optional)."),
        "extra-column": ("The header names a column that is not in the table's schema.", "Rename the column, or add the field to the schema first."),
        "duplicate-column": ("The header names a column twice.", "Rename or delete one of the two columns."),
        "column-order": ("Columns are not in schema order (warning).", "Run `conflictdata fmt`, which reorders them."),
        "unquoted-delimiter": ("A cell holds the delimiter without quotes, so the record has more cells than the header.",
                               "Wrap the named cell in double quotes (or remove the comma)."),
        "extra-cell": ("A record has more cells than the header.", "Remove the extra cell(s), or quote a cell that contains a comma."),
        "missing-cell": ("A record has fewer cells than the header.", "Add the missing cell(s); empty cells still need their commas."),
        "blank-row": ("A blank line between records.", "Delete the line (`conflictdata fmt` does)."),
        "non-canonical": ("The file is not in canonical form (warning).", "Run `conflictdata fmt` to rewrite it."),
        "parquet": ("A Parquet file cannot be read.", "Rewrite the Parquet file (e.g. with `conflictdata build`)."),
        "parquet-type": ("A Parquet column has a type the schema's field cannot hold.", "Write the column with the field's type."),
        "frictionless": ("A field or resource the fast path leaves to frictionless could not be checked, or frictionless reported an error of a kind conflictdata has no rule for (named in the message).", "Read the message; check the field's type and format in the schema, or the resource's format, dialect and path."),
    },
    "column": {
        "type": ("A cell is not of its field's type.", "Write the value in the field's type (integers digits only, numbers with '.', dates YYYY-MM-DD, booleans true/false)."),
        "required": ("A required cell is empty.", "Fill in the cell."),
        "unique": ("A value that must be unique in its column repeats.", "Correct one of the values, or merge the rows."),
        "enum": ("A value is not among the field's allowed values.", "Use one of the allowed values (the message suggests the nearest)."),
        "pattern": ("A value does not match the field's pattern.", "Write the value in the pattern's form (e.g. an id with its prefix)."),
        "minimum": ("A value is below the field's minimum.", "Correct the value."),
        "maximum": ("A value is above the field's maximum.", "Correct the value."),
        "min-length": ("A text is shorter than the field's minimum length.", "Complete the text."),
        "max-length": ("A text is longer than the field's maximum length.", "Shorten the text."),
    },
    "keys": {
        "primary-key": ("A primary key is empty or repeats.", "Give every row its own id."),
        "foreign-key": ("A reference names a row that does not exist in the referenced table.", "Correct the id, or add the referenced row first."),
    },
    "data model": {
        "actor-parent-cycle": ("parent_actor_id forms a cycle.", "Clear one of the parents in the cycle: an actor cannot be its own ancestor."),
        "actor-same-name": ("Two actors share a name (warning).", "If they are one actor, merge them; otherwise make the names distinct."),
        "event-date-order": ("An event's date_end is before its date_start.", "Swap or correct the dates."),
        "event-date-precision": ("An event's dates do not fit its date_precision.", "Set the dates to the range the precision means, or change the precision."),
        "event-coordinates": ("Only one of latitude and longitude is given.", "Fill in both or leave both empty."),
        "event-has-source": ("An event has no source.", "Add a row for it to event_sources."),
        "event-has-actor": ("An event has no actor.", "Add a row for it to event_actors."),
        "number-finite": ("A number is NaN or infinite.", "Write a finite number or leave the cell empty."),
        "claim-value-present": ("A claim has no figure.", "Fill value_best, or value_low/value_high for a bound."),
        "claim-value-order": ("A claim's figures are not ordered low ≤ best ≤ high.", "Correct the figures (a dataset's own inconsistency is a warning: report it upstream)."),
        "claim-qualifier": ("A claim's qualifier needs a figure that is empty.", "Fill the figure the qualifier names, or change the qualifier."),
        "claim-subject": ("A claim says nothing about whose losses it counts.", "Set subject_actor_id, or event_id for a total over all parties to one event."),
        "claim-period-order": ("A claim's period or statement date is out of order.", "period_start ≤ period_end ≤ statement_date: correct one of them."),
        "quote-required": ("A claim, stance or event source cites a source with an archived snapshot but gives no quote.",
                           "Copy the passage of the archived text that states it, verbatim (a quote only where the project holds the text)."),
        "cumulative-decrease": ("A cumulative figure falls over time (warning).", "If the claimant corrected itself, set supersedes_claim_id to the earlier claim."),
        "stance-target": ("A stance is about neither or both of an event and a claim.", "Set exactly one of event_id and claim_id."),
        "future-date": ("A date lies in the future.", "Correct the date."),
        "snapshot-hash": ("An archived snapshot's sha256 differs from the recorded one.", "Restore the archived text, or record the new hash if the new text is right."),
        "snapshot-hash-required": ("A snapshot has no sha256, or a sha256 has no snapshot.", "Record the snapshot's sha256, or clear the hash."),
        "snapshot-missing": ("A source's snapshot file cannot be read.", "Archive the source text at the path given in sources.csv."),
        "quote-in-snapshot": ("A quote is not found in its source's archived snapshot.",
                              "Copy the quote verbatim from the source (only whitespace and typographic quotes may differ); the message shows the closest passage."),
        "retraction-still-present": ("A retracted id is still in its table.", "Delete the row; the retraction keeps the id from being reused."),
        "retraction-id-prefix": ("A retraction names an id that cannot belong to its table.", "Correct the table or the id."),
        "retraction-replacement": ("A retraction's replaced_by_id names no record, or the record itself.", "Name an existing record, or leave replaced_by_id empty."),
    },
    "built packages": {
        "resource-bytes": ("A built file's size differs from the descriptor's `bytes`.", "Rebuild the package; the file changed after the build."),
        "resource-hash": ("A built file's sha256 differs from the descriptor's `hash`.", "Rebuild the package; the file changed after the build."),
        "parquet-mismatch": ("A Parquet copy differs from its CSV.", "Rebuild the package, so both copies come from the same data."),
    },
    "with --against": {
        "id-vanished": ("An id of the older version is gone without a retraction.", "Restore the row, or record it in data/retractions.csv."),
        "id-reused": ("An id now names a different record, or a retracted id is used again.", "Give the record a new id (and retract the old one)."),
        "retraction-removed": ("A retraction of the older version was removed.", "Restore the row: retractions are permanent."),
    },
    "at release": {
        "after-release-date": ("A date is after the release's own `created`.",
                               "Correct the date, or set `created` later (`conflictdata bump --write`)."),
    },
    "the acknowledgements table": {
        "acknowledgement-rule": ("An acknowledgement names no known rule.", "Use one of the rule names the README lists."),
        "acknowledgement-duplicate": ("Two acknowledgements name the same rule, table, record and column.", "Delete one of the two rows."),
        "acknowledgement-of-error": ("An acknowledgement matches an error, which cannot be acknowledged (warning).",
                                     "Fix the error, then delete the acknowledgement."),
        "acknowledgement-stale": ("An acknowledgement matches no finding any more (warning).",
                                  "Delete the row: the data it excused were fixed or removed."),
    },
}

RULEBOOK: dict[str, RuleInfo] = {name: RuleInfo(name, summary, fix, group)
                                 for group, rules in _RULES.items() for name, (summary, fix) in rules.items()}


def describe(rule: str) -> RuleInfo:
    """The catalogue's entry for `rule` (a plain one for a rule it does not know yet)."""
    return RULEBOOK.get(rule) or RuleInfo(rule, f"The rule {rule}.", "Read the finding's message.", "other")


# What `--select`, `--ignore` and the acknowledgements table may name; tests/test_acknowledgements.py
# fails when the source emits a rule that is missing here.
KNOWN_RULES: tuple[str, ...] = tuple(RULEBOOK)


def unknown_rules(names: set[str] | frozenset[str]) -> list[str]:
    return sorted(set(names) - set(KNOWN_RULES))


def closest_rule(name: str) -> str | None:
    close = difflib.get_close_matches(name, KNOWN_RULES, n=1, cutoff=0.6)
    return close[0] if close else None
