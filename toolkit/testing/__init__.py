"""Synthetic reports in every format and simulated scans, for tests and benchmarks; never imported
by the runtime.
"""
