"""Audio, storage and web for yomiage; builds on simplify, never the reverse."""

import os

# NOTE: yomiage parallelises by process (build jobs, workers, PDF readers), one a core. OpenBLAS would add a thread
# per core to every process, which spins a core for ~0.1 s after each matrix product (measured: 105 ms of CPU for a
# 0.3 ms product) and takes it from the other worker. Set before numpy is first imported; an operator's value wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def create_app(config: dict | None = None):
    """The Flask application (see service.web.create_app); imported lazily so audio tools and workers need no
    Flask (≈ 0.15 s)."""
    from service.web import create_app as factory

    return factory(config)
