"""Production topology and fault tests (scripts/prod_stack.py)."""
