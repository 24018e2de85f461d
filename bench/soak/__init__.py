"""`make soak` (issue 13): a stack of its own under attack, measured request by request.

Run with `make soak` or `python -m bench.soak`; see README ("make soak") for reading the table.
Not collected by `make test` or `make bench` (no `test_*.py` or `bench_*.py` here);
`tenants/tests/test_soak.py` runs a small in-process part of it.
"""
