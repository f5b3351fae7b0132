import pytest

from store import Store, TinyDBStore


@pytest.fixture(params=["memory", "tinydb"])
async def store(request, tmp_path):
    """Every backend, opened empty: the contract suite runs against each."""
    backend: Store = Store() if request.param == "memory" else TinyDBStore(tmp_path / "desk.json")
    await backend.open()
    yield backend
    await backend.close()
