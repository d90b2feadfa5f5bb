"""numpy reference for bench/recs: EASE weights of an n-item SPD matrix in float32 with LAPACK.

    python3 bench/recs/numpy_ease.py <n> [threads]

Prints one JSON line: seconds (Cholesky factor + inverse + B), peak RSS, numpy version and method.
The matrix is a random XᵀX + λI-like SPD matrix built in float32 row blocks (its content does not
change LAPACK's time). The inverse is spotrf + spotri from the LAPACK numpy links when it can be
reached through ctypes (numpy's bundled OpenBLAS, or the system liblapack), else numpy's own
linalg.cholesky + linalg.inv of the factor, which does more work.
"""
import ctypes
import ctypes.util
import glob
import json
import os
import resource
import sys
import time

n = int(sys.argv[1])
threads = sys.argv[2] if len(sys.argv) > 2 else "2"
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = threads

import numpy as np  # noqa: E402  (after the thread settings, which BLAS reads at load)


def lapack():
    """(spotrf, spotri, int type, name) from the LAPACK numpy uses, or None."""
    here = os.path.dirname(np.__file__)
    candidates = glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*.so*"))
    system = ctypes.util.find_library("lapack")
    if system:
        candidates.append(system)
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix, itype in (("scipy_", "_64_", ctypes.c_int64), ("", "_64_", ctypes.c_int64), ("", "_", ctypes.c_int)):
            try:
                potrf = getattr(lib, f"{prefix}spotrf{suffix}")
                potri = getattr(lib, f"{prefix}spotri{suffix}")
            except AttributeError:
                continue
            return potrf, potri, itype, os.path.basename(path)
    return None


rng = np.random.default_rng(1)
g = np.empty((n, n), dtype=np.float32)
for start in range(0, n, 512):
    block = rng.random((min(512, n - start), n), dtype=np.float32)
    g[start : start + block.shape[0]] = block
g += g.T
g[np.diag_indices(n)] += n
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

found = lapack()
started = time.perf_counter()
if found:
    potrf, potri, itype, name = found
    uplo = ctypes.c_char(b"L")
    size = itype(n)
    info = itype(0)
    ptr = g.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    potrf(ctypes.byref(uplo), ctypes.byref(size), ptr, ctypes.byref(size), ctypes.byref(info), ctypes.c_size_t(1))
    potri(ctypes.byref(uplo), ctypes.byref(size), ptr, ctypes.byref(size), ctypes.byref(info), ctypes.c_size_t(1))
    if info.value != 0:
        raise SystemExit(f"LAPACK info {info.value}")
    # Column-major "L" is row-major upper: mirror it, then B = -P / diag(P) in place.
    p = np.triu(g) + np.triu(g, 1).T
    method = f"spotrf+spotri ({name})"
else:
    low = np.linalg.cholesky(g)
    inv = np.linalg.inv(low)
    p = inv.T @ inv
    method = "linalg.cholesky + linalg.inv"
d = np.diag(p).copy()
p /= -d
np.fill_diagonal(p, 0)
seconds = time.perf_counter() - started
print(json.dumps({
    "n": n,
    "seconds": seconds,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "baseRssMb": base // 1024,
    "numpy": np.__version__,
    "threads": int(threads),
    "method": method,
}))
