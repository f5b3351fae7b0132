"""A process's peak memory, in a module of its own so a measured process can read it
without importing anything else."""

from pathlib import Path


def peak_memory_mb(pid: int | str = "self") -> float:
    """A process's peak resident memory so far (VmHWM), in MB; this process's by default."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
