"""Many-to-one times for several targets in parallel worker processes.

scipy's Dijkstra holds the GIL, so threads give no speed-up (see the engine comparison in the
README); separate processes do. A :class:`TargetPool` forks its workers once, after the reversed
matrix is in memory, so the workers share the arrays copy-on-write and nothing is pickled per
query except a target number. Each worker writes its row of minutes straight into one shared
memory block; the caller gets a copy.

Use it for large graphs or many queries (sweeps, uncertainty draws). On the small default network
the fixed cost of a round trip to the workers (about a millisecond) is larger than the search.
Where ``fork`` is unavailable (Windows, macOS default), the pool runs the searches in-process.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing import shared_memory

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from network.routing.engine import search

# Set in the parent before the workers fork; read-only in the workers.
_REVERSED: csr_matrix | None = None
_OUT_NAME: str | None = None
_OUT_SHAPE: tuple[int, int] = (0, 0)


def _search(job: tuple[int, int, float]) -> int:
    row, target, limit_min = job
    block = shared_memory.SharedMemory(name=_OUT_NAME)
    try:
        out = np.ndarray(_OUT_SHAPE, dtype=np.float64, buffer=block.buf)
        out[row] = search(_REVERSED, target, limit=limit_min)
        del out
    finally:
        block.close()
    return row


class TargetPool:
    """A pool of processes answering "minutes from every node to target t" on one graph.

    Parameters
    ----------
    reversed_matrix
        The transposed (reversed) CSR matrix of minutes, as in ``CompiledGraph.transposed``.
    max_targets
        The most targets one call of :meth:`times_to` may ask for.
    workers
        Number of processes (default: the number of CPUs, at most ``max_targets``).

    Use as a context manager so the workers and the shared block are released::

        with TargetPool(graph.transposed, max_targets=2) as pool:
            minutes = pool.times_to([i_zhengzhou, i_luoyang])
    """

    def __init__(self, reversed_matrix: csr_matrix, max_targets: int, workers: int | None = None):
        global _REVERSED, _OUT_NAME, _OUT_SHAPE
        n = reversed_matrix.shape[0]
        self.n_nodes = n
        self.max_targets = max_targets
        self._matrix = reversed_matrix
        self._block = shared_memory.SharedMemory(create=True, size=max(1, max_targets * n * 8))
        self._pool = None
        if "fork" in mp.get_all_start_methods():
            _REVERSED, _OUT_NAME, _OUT_SHAPE = reversed_matrix, self._block.name, (max_targets, n)
            size = min(workers or mp.cpu_count() or 1, max_targets)
            self._pool = mp.get_context("fork").Pool(size)
        self.workers = self._pool._processes if self._pool is not None else 1  # type: ignore[attr-defined]

    def times_to(self, targets: list[int], limit_min: float = np.inf) -> NDArray[np.float64]:
        """Minutes from every node (columns) to each target (rows); ``inf`` where unreachable."""
        if len(targets) > self.max_targets:
            raise ValueError(
                f"{len(targets)} targets asked for; this pool was made for at most "
                f"{self.max_targets} (raise max_targets)"
            )
        if self._pool is None:
            return np.atleast_2d(search(self._matrix, targets, limit=limit_min))
        out = np.ndarray((self.max_targets, self.n_nodes), dtype=np.float64, buffer=self._block.buf)
        self._pool.map(_search, [(r, int(t), limit_min) for r, t in enumerate(targets)], chunksize=1)
        result = out[: len(targets)].copy()
        del out
        return result

    def close(self) -> None:
        """Stop the workers and free the shared memory."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        self._block.close()
        self._block.unlink()

    def __enter__(self) -> TargetPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
