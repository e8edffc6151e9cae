"""Benchmarks: `python -m bench [module ...]`; every module here with a `main(argv)` is one."""
