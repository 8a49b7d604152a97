"""`make bench`: phasegate against raw SpiffWorkflow, and the engine's costs at scale.

Run with `python -m bench` (or `make bench`); it prints every figure and rewrites bench/RESULTS.md.
"""
