"""libao (礼保助手): an offline service-etiquette and secrecy assistant."""

import os

__version__ = "0.1.0"

# A question's semantic similarities are one matrix-vector product, under a millisecond on one core.
# NumPy's OpenBLAS splits it over every core, and on a busy machine its threads wait for each other:
# 16 ms a product instead of 1 on this project's shared 2-core machine (the embedder has its own
# fixed thread count). Takes effect when NumPy is imported after this package, as in every libao
# process; an OPENBLAS_NUM_THREADS already set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
