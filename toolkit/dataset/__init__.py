"""Many reports: read_corpus and Dataset, the process pool, the cache, the store, cross-year checks,
fetch.
"""
