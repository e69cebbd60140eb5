"""Running the app: what `ytrec serve` and the end of `ytrec demo` call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ytrec.api.app import create_app
from ytrec.api.settings import Settings


def serve(
    bundle: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    quiet: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Open the bundle, load the models, then serve until interrupted (one process: the bundle
    and models are shared by every request instead of being loaded once per worker)."""
    import faiss
    import uvicorn

    # requests already run in parallel threads; Faiss's own OpenMP threads on top of them only
    # oversubscribe the cores (measured: single-query searches slow down several-fold under load)
    faiss.omp_set_num_threads(1)
    app = create_app(bundle, settings or Settings())
    shown = f"[{host}]" if ":" in host else host
    announce(f"ytrec: serving {Path(bundle)} at http://{shown}:{port}  (API docs: /docs; Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning" if quiet else "info", access_log=False)
