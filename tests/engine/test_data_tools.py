"""A sweep's data drops into other tools: nulls for missing outcomes, class columns that
need no quoting, and the same numbers from pandas, DuckDB and polars (as the README shows)."""

import math

import duckdb
import polars as pl
import pyarrow.parquet as pq

from sim.engine import load_runs
from sim.engine.store import CLASS_PREFIX, Store

from .helpers import spec, sweep


def test_the_same_sweep_reads_the_same_in_pandas_duckdb_and_polars(tmp_path):
    out = tmp_path / "s"
    sweep(spec(), out, model="support_models:flaky")

    # pandas, through the engine: runs joined with their parameters
    runs = load_runs(out)
    wanted = runs[(runs.x1 > 0) & runs.class_high.fillna(False)]
    expected = wanted.y.mean()
    assert not math.isnan(expected)
    assert (runs.status == "failed").any()  # so missing outcomes are there to skip

    # missing outcomes are Arrow nulls, not NaN
    table = pq.read_table(Store(out).part_paths())
    assert table.column("y").null_count == int((runs.status != "done").sum())
    assert CLASS_PREFIX == "class_"

    # DuckDB: the documented runs view (run rows joined with design.parquet)
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW runs AS SELECT * FROM read_parquet('{out}/runs/part-*.parquet') r "
        f"JOIN read_parquet('{out}/design.parquet') d USING (point)"
    )
    (got,) = con.execute("SELECT avg(y) FROM runs WHERE x1 > 0 AND class_high").fetchone()
    assert math.isclose(got, expected)
    (n_null,) = con.execute("SELECT count(*) FROM runs WHERE y IS NULL").fetchone()
    assert n_null == int((runs.status != "done").sum())

    # polars: the same join, lazily
    frame = (
        pl.scan_parquet(f"{out}/runs/part-*.parquet")
        .join(pl.scan_parquet(f"{out}/design.parquet"), on="point")
        .filter((pl.col("x1") > 0) & pl.col("class_high"))
        .select(pl.col("y").mean())
        .collect()
    )
    assert math.isclose(frame.item(), expected)
