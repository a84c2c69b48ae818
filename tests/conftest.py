from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=40, deadline=None)
# Mutation testing (mutmut, which runs the tests from a copy in mutants/) runs each
# test many times in one process: the same examples every time, a few of them.
settings.register_profile(
    "mutation",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
if Path(__file__).resolve().parents[1].name == "mutants":
    settings.load_profile("mutation")
else:
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark session for the whole run: starting one takes many seconds.

    Tuned for tiny tables: one shuffle partition, no adaptive re-planning, no
    code generation (compiling it costs more than running these queries).  Its
    warehouse folder, which Spark makes when it starts, goes to a temporary
    folder, not into the checkout the tests run from.
    """
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .appName("customer-model tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One throwaway PostgreSQL server for the whole run, and a connection to it.

    pgserver (a pip-installed PostgreSQL 16) starts it in a temporary folder in
    about a second; it is stopped when the run ends.
    """
    import warnings

    import psycopg

    with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR on CI machines
        warnings.simplefilter("ignore")
        import pgserver

        get_server = pgserver.get_server  # type: ignore[attr-defined]
        server = get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    with server, psycopg.connect(server.get_uri(), autocommit=True) as connection:
        yield connection
