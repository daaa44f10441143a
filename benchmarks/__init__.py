"""Benchmarks that compare Ask Vietnam with other approaches on the same evaluation data."""
