"""Index tests build many small Faiss indexes: one OpenMP thread each avoids spin-waiting threads
on a shared two-core machine (where two threads made a 8k-vector build ten times slower)."""

import faiss
import pytest


@pytest.fixture(autouse=True, scope="package")
def _one_faiss_thread():
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)
