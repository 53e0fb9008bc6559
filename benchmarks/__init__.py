"""Benchmarks: each prints figures next to a baseline measured in the same run; none asserts.

Run all with ``.venv/bin/python -m benchmarks`` (``make bench``) or one part with
``.venv/bin/python -m benchmarks seeding|lookup|queries|import|scan``. Figures go into
docs/performance.md by hand, with the machine, the date and the command.
"""
