import pytest

from store import Store, TinyDBStore
from tests.harness import stop_children


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    """Every process a test started is stopped when the test ends, however it ends."""
    yield
    stop_children()


@pytest.fixture(params=["memory", "tinydb"])
async def store(request, tmp_path):
    """Every backend, opened empty: the contract suite runs against each."""
    backend: Store = Store() if request.param == "memory" else TinyDBStore(tmp_path / "desk.json")
    await backend.open()
    yield backend
    await backend.close()
