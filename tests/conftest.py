import os
import uuid
from datetime import timedelta

import psycopg
import pytest

from bot.localslack import LocalSlack
from store import MemoryStore, Store, TinyDBStore
from store.postgres_store import PostgresStore
from tests.factories import T0
from tests.harness import demo_workspace, stop_children


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    """Every process a test started is stopped when the test ends, however it ends."""
    yield
    stop_children()


POSTGRES = os.environ.get("DESK_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")
POSTGRES_REQUIRED = os.environ.get("DESK_POSTGRES_TESTS") == "required"  # .ci/run sets it


def postgres_url() -> str:
    """A PostgreSQL store URL with a schema of this test's own (dropped afterwards by
    `drop_schema`); the test is skipped, saying why, where no server answers, unless the
    run requires PostgreSQL (CI), where that fails it."""
    try:
        with psycopg.connect(POSTGRES, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as problem:
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here and {POSTGRES} does not answer: {problem}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES} (set DESK_TEST_POSTGRES): {problem}".strip())
    return f"{POSTGRES}?schema=t_{uuid.uuid4().hex[:12]}"


def drop_schema(url: str) -> None:
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema}_reporting CASCADE")  # its BI views (issue 37)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL schema's store URL for one test."""
    url = postgres_url()
    yield url
    drop_schema(url)


@pytest.fixture(params=["memory", "tinydb", "postgresql", "postgresql-window"])
async def store(request, tmp_path):
    """Every backend, opened empty: the contract suite runs against each. `postgresql-window`
    is a desk's PostgreSQL store, which keeps a window in memory and reads the rest with SQL
    (`store.window`): every read the window cannot answer goes to the database."""
    if request.param.startswith("postgresql"):
        url = postgres_url()
        request.addfinalizer(lambda: drop_schema(url))
        backend: Store = PostgresStore(url)
        if request.param == "postgresql-window":
            backend.keep_since = T0 - timedelta(days=120)
    else:
        backend = MemoryStore() if request.param == "memory" else TinyDBStore(tmp_path / "desk.json")
    await backend.open()
    yield backend
    await backend.close()


@pytest.fixture
async def slack():
    """A local Slack with the demo workspace, running on a free port."""
    local = LocalSlack(demo_workspace())
    await local.start()
    yield local
    await local.stop()
