"""kill -9 at random moments: the store always opens and holds everything it confirmed."""

import asyncio
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from store import TinyDBStore
from tests.harness import child, started

ROOT = Path(__file__).resolve().parent.parent
KILLS = 12


def run_and_kill(path: Path, seconds: float) -> dict[int, str]:
    """Start a writer, let it work for `seconds`, SIGKILL it; what it had confirmed."""
    log = path.with_name("writer.log")
    with open(log, "w") as out:
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.writer_process", str(path)], cwd=ROOT, stdout=out, **child()
        )
        started(writer.pid)
        time.sleep(seconds)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    confirmed: dict[int, str] = {}
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "confirmed":  # a torn last line is not a confirmation
            confirmed[int(parts[1])] = parts[2]
    return confirmed


def test_kill9_loses_nothing_confirmed(tmp_path):
    path = tmp_path / "desk.json"
    rng = random.Random(9)
    everything: dict[int, str] = {}
    for _ in range(KILLS):
        everything.update(run_and_kill(path, rng.uniform(0.6, 1.5)))

    async def check() -> None:
        store = TinyDBStore(path)
        await store.open()
        for number, status in everything.items():
            ticket = await store.ticket(number)
            assert ticket is not None, f"ticket {number} was confirmed and is lost"
            if status == "resolved":
                assert ticket.status.value == "resolved"
        numbers = [ticket.number for ticket in await store.all_tickets()]
        assert numbers == list(range(1, len(numbers) + 1)), "numbers must have no gaps or repeats"
        await store.close()

    assert len(everything) > 100, "the writer should have confirmed plenty before the kills"
    asyncio.run(check())
