import pytest

from bot.localslack import LocalSlack
from store import Store, TinyDBStore
from tests.harness import demo_workspace, stop_children


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


@pytest.fixture
async def slack():
    """A local Slack with the demo workspace, running on a free port."""
    local = LocalSlack(demo_workspace())
    await local.start()
    yield local
    await local.stop()
