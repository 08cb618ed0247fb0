"""Analysis helpers: names joined in, the latest claim per series as of a date, nothing cumulative summed."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

import pandas as pd
import pytest

import conflictdata
from conflictdata.outputs import analysis
from pkgcopy import copy_package


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, pd.DataFrame]:
    """The curated core, validated: a dozen rows per table."""
    return conflictdata.load(copy_package(tmp_path_factory.mktemp("core") / "pkg"))


@pytest.fixture(scope="module")
def full() -> Mapping[str, pd.DataFrame]:
    return conflictdata.load()


def _claim(claim_id: str, **fields: Any) -> dict[str, Any]:
    row = {"claim_id": claim_id, "claimant_actor_id": "ACT-UKR-AF", "on_behalf_of_actor_id": None,
           "subject_actor_id": "ACT-RUS-AF", "measure": "killed", "value_low": None, "value_best": 100,
           "value_high": None, "qualifier": "exact", "value_text": "100", "count_basis": "cumulative",
           "period_start": None, "period_end": date(2024, 1, 1), "statement_date": date(2024, 1, 2),
           "method": None, "event_id": None, "source_id": "SRC-0001", "quote": None,
           "supersedes_claim_id": None, "notes": None}
    row.update(fields)
    return row


def _with_claims(tables: Mapping[str, pd.DataFrame], *rows: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables with claims appended, in the dtypes load() gives (no validation: a fixture for the helpers)."""
    claims = tables["casualty_claims"]
    extra = pd.DataFrame(list(rows), columns=claims.columns)
    extra = pd.DataFrame({c: extra[c].astype(claims[c].dtype) for c in claims.columns})
    out = dict(tables)
    out["casualty_claims"] = pd.concat([claims, extra], ignore_index=True)
    return out


def test_claims_named_adds_claimant_on_behalf_of_subject_and_source(core: Mapping[str, pd.DataFrame]) -> None:
    named = analysis.claims_named(core)
    assert len(named) == len(core["casualty_claims"])
    row = named.set_index("claim_id").loc["CLM-0001"]
    assert (row["claimant_name"], row["on_behalf_of_name"], row["subject_name"]) == ("Mark Rutte", "NATO", "Russian armed forces")
    assert row["source_publisher"] == "Khaama Press"
    assert row["source_title"] == core["sources"].set_index("source_id").loc["SRC-0001", "title"]
    assert list(named.columns[: len(core["casualty_claims"].columns)]) == list(core["casualty_claims"].columns)
    assert named["measure"].dtype == core["casualty_claims"]["measure"].dtype  # the schema's dtypes are kept


def test_claims_named_leaves_a_missing_actor_missing(core: Mapping[str, pd.DataFrame]) -> None:
    named = analysis.claims_named(_with_claims(core, _claim("CLM-T1")))
    row = named.set_index("claim_id").loc["CLM-T1"]
    assert row["claimant_name"] == "Ukrainian armed forces"
    assert pd.isna(row["on_behalf_of_name"])


def test_latest_claim_is_the_latest_period_end_on_or_before_as_of(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(
        core,
        _claim("CLM-T1", period_end=date(2024, 1, 1), statement_date=date(2024, 1, 2)),
        _claim("CLM-T2", period_end=date(2024, 6, 1), statement_date=date(2024, 6, 2)),
        _claim("CLM-T3", period_end=date(2024, 12, 1), statement_date=date(2024, 12, 2)),
    )
    latest = analysis.latest_claims(tables, date(2024, 10, 31))
    ukr = latest[latest["claimant_actor_id"] == "ACT-UKR-AF"]
    assert ukr["claim_id"].tolist() == ["CLM-T2"]
    assert analysis.latest_claims(tables, date(2024, 6, 1)).set_index("claimant_actor_id").loc["ACT-UKR-AF", "claim_id"] == "CLM-T2"
    assert "ACT-UKR-AF" not in analysis.latest_claims(tables, date(2023, 12, 31))["claimant_actor_id"].tolist()


def test_latest_claim_ties_go_to_the_later_statement_then_the_greater_id(core: Mapping[str, pd.DataFrame]) -> None:
    same_day = dict(period_end=date(2024, 6, 1))
    tables = _with_claims(
        core,
        _claim("CLM-T9", statement_date=date(2024, 6, 2), **same_day),
        _claim("CLM-T5", statement_date=date(2024, 6, 5), **same_day),  # a later correction
        _claim("CLM-T4", statement_date=date(2024, 6, 5), **same_day),
    )
    latest = analysis.latest_claims(tables, date(2024, 10, 31)).set_index("claimant_actor_id")
    assert latest.loc["ACT-UKR-AF", "claim_id"] == "CLM-T5"


def test_latest_claims_keeps_one_row_per_claimant_subject_measure_and_basis(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(
        core,
        _claim("CLM-T1"),
        _claim("CLM-T2", measure="wounded"),
        _claim("CLM-T3", subject_actor_id="ACT-PRK-AF"),
        _claim("CLM-T4", count_basis="period"),
    )
    latest = analysis.latest_claims(tables, date(2024, 10, 31))
    # CLM-T4 covers its own period: no running total, so never anybody's "latest" figure.
    assert sorted(latest["claim_id"]) == ["CLM-0001", "CLM-T1", "CLM-T2", "CLM-T3"]
    assert latest.duplicated(list(analysis.SERIES_KEY)).sum() == 0
    assert "claimant_name" in latest.columns


def test_latest_claims_leaves_ucdp_per_event_claims_out(full: Mapping[str, pd.DataFrame]) -> None:
    latest = analysis.latest_claims(full, date(2024, 10, 31))
    assert set(latest["count_basis"].astype(str)) == {"cumulative"}
    assert "ACT-UCDP" not in latest["claimant_actor_id"].tolist()
    # ...whose claims stay summable by period, which is what they are for.
    ucdp = full["casualty_claims"][full["casualty_claims"]["claimant_actor_id"] == "ACT-UCDP"]
    assert analysis.total_claimed(ucdp[ucdp["measure"] == "killed"]) > 0


def test_as_of_takes_an_iso_string_and_refuses_anything_else(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(core, _claim("CLM-T1", period_end=date(2024, 1, 1), statement_date=date(2024, 1, 2)))
    by_string = analysis.latest_claims(tables, "2024-10-31", stated_by="2024-10-31")
    by_date = analysis.latest_claims(tables, date(2024, 10, 31), stated_by=date(2024, 10, 31))
    pd.testing.assert_frame_equal(by_string, by_date)
    with pytest.raises(ValueError, match=r"as_of='31/10/2024': give a date, e.g. date\(2024, 10, 31\) or '2024-10-31'"):
        analysis.latest_claims(tables, "31/10/2024")


def test_stated_by_keeps_only_what_had_been_said_by_then(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(
        core,
        _claim("CLM-T1", period_end=date(2024, 1, 1), statement_date=date(2024, 1, 2)),
        _claim("CLM-T2", period_end=date(2024, 6, 1), statement_date=date(2025, 3, 1)),  # said long after
    )
    latest = analysis.latest_claims(tables, date(2024, 10, 31), stated_by=date(2024, 10, 31)).set_index("claimant_actor_id")
    assert latest.loc["ACT-UKR-AF", "claim_id"] == "CLM-T1"


def test_latest_general_staff_claim_as_of_a_date_in_the_full_dataset(full: Mapping[str, pd.DataFrame]) -> None:
    latest = analysis.latest_claims(full, date(2024, 10, 31))
    genstaff = latest[(latest["claimant_actor_id"] == "ACT-UKR-GENSTAFF") & (latest["measure"] == "personnel_losses")]
    assert genstaff["claim_id"].tolist() == ["CLM-GENSTAFF-20241031-PERSONNEL"]
    nato = latest[latest["on_behalf_of_actor_id"] == "ACT-NATO"]
    assert nato["claim_id"].tolist() == ["CLM-0001"]


def test_events_with_actors_has_one_row_per_event_actor_with_names(core: Mapping[str, pd.DataFrame]) -> None:
    joined = analysis.events_with_actors(core)
    assert len(joined) == len(core["event_actors"])
    assert set(joined["event_id"]) == set(core["events"]["event_id"])
    row = joined[(joined["event_id"] == "EVT-0002") & (joined["actor_id"] == "ACT-PRK-AF")].iloc[0]
    assert row["actor_name"] == "North Korean armed forces" and row["role"] == "deployed_force"
    assert joined["actor_name"].notna().all()


def test_events_with_sources_has_the_source_title_and_quote(core: Mapping[str, pd.DataFrame]) -> None:
    joined = analysis.events_with_sources(core)
    assert len(joined) == len(core["event_sources"])
    assert (joined["source_publisher"] == "Khaama Press").all()
    assert joined["quote"].str.len().gt(0).all()


def test_cumulative_claims_are_never_summed(full: Mapping[str, pd.DataFrame]) -> None:
    genstaff = full["casualty_claims"][full["casualty_claims"]["claimant_actor_id"] == "ACT-UKR-GENSTAFF"]
    with pytest.raises(ValueError, match="cumulative claim"):
        analysis.total_claimed(genstaff)
    with pytest.raises(ValueError, match="cumulative claim"):
        analysis.monthly_totals(genstaff)


def test_claims_of_different_claimants_or_measures_are_not_added(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(core, _claim("CLM-T1", count_basis="period"),
                          _claim("CLM-T2", count_basis="period", claimant_actor_id="ACT-RUS-AF"))
    claims = tables["casualty_claims"]
    with pytest.raises(ValueError, match="more than one claimant or measure"):
        analysis.total_claimed(claims[claims["count_basis"] == "period"])


def test_period_claims_are_summed_per_month(full: Mapping[str, pd.DataFrame]) -> None:
    claims = full["casualty_claims"]
    ucdp = claims[claims["claimant_actor_id"] == "ACT-UCDP"]
    months = analysis.monthly_totals(ucdp)
    assert set(months["measure"]) == {"killed"} and months["month"].is_monotonic_increasing
    assert months["total"].sum() == analysis.total_claimed(ucdp) == ucdp["value_best"].sum()
    assert months["claims"].sum() == len(ucdp)
    jan_2014 = months.set_index("month").loc["2014-01"]
    in_jan = ucdp[ucdp["period_end"].map(lambda d: (d.year, d.month) == (2014, 1))]
    assert jan_2014["total"] == in_jan["value_best"].sum() and jan_2014["claims"] == len(in_jan)


def test_views_declare_sql_that_names_every_column(core: Mapping[str, pd.DataFrame]) -> None:
    for view in analysis.VIEWS.values():
        sql = view.sql(core)
        assert sql.startswith("SELECT") and f'FROM "{view.base}"' in sql
        for column in view.columns(core):
            assert f'"{column}"' in sql


def test_the_module_documents_its_public_api() -> None:
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        if callable(obj):
            assert obj.__doc__, name
    assert "never summed" in analysis.__doc__


# --- compare_claims: competing claimants side by side ---------------------------------------------

def test_compare_claims_puts_each_claimants_latest_figure_side_by_side_with_the_ratio(core: Mapping[str, pd.DataFrame]) -> None:
    tables = _with_claims(
        core,
        _claim("CLM-T1", claimant_actor_id="ACT-UKR-AF", measure="tanks", value_best=3000, period_end=date(2023, 1, 1)),
        _claim("CLM-T2", claimant_actor_id="ACT-UKR-AF", measure="tanks", value_best=3220, period_end=date(2023, 2, 5)),
        _claim("CLM-T3", claimant_actor_id="ACT-NATO", measure="tanks", value_best=None, value_low=1673, qualifier="at_least",
               period_end=date(2023, 2, 5)),
        _claim("CLM-T4", claimant_actor_id="ACT-NATO", measure="tanks", value_best=9999, period_end=date(2023, 3, 1)),  # later
        _claim("CLM-T5", claimant_actor_id="ACT-NATO", measure="aircraft", value_best=1, period_end=date(2023, 2, 5)),
    )
    out = analysis.compare_claims(tables, "ACT-RUS-AF", "tanks", date(2023, 2, 5))
    assert list(out["claim_id"]) == ["CLM-T2", "CLM-T3"]
    assert list(out["figure"]) == [3220.0, 1673.0]  # the lower bound where no best value is given
    assert list(out["ratio"]) == [3220 / 1673, 1.0]
    by_ukr = analysis.compare_claims(tables, "ACT-RUS-AF", "tanks", date(2023, 2, 5), reference="ACT-UKR-AF")
    assert list(by_ukr["ratio"]) == [1.0, 1673 / 3220]
    with pytest.raises(ValueError, match="ACT-PRK made no cumulative tanks claim about ACT-RUS-AF by 2023-02-05"):
        analysis.compare_claims(tables, "ACT-RUS-AF", "tanks", date(2023, 2, 5), reference="ACT-PRK")


def test_compare_claims_on_the_shipped_tanks_of_2023_02_05(full: Mapping[str, pd.DataFrame]) -> None:
    out = analysis.compare_claims(full, "ACT-RUS-AF", "tanks", date(2023, 2, 5))
    assert [(c, i, f) for c, i, f in zip(out["claimant_actor_id"], out["claim_id"], out["figure"])] == [
        ("ACT-UKR-GENSTAFF", "CLM-GSEQ-20230205-TANKS", 3220.0), ("ACT-ORYX", "CLM-ORYX-20230205-TANKS", 1673.0)]
    assert list(out["ratio"]) == [3220 / 1673, 1.0]
