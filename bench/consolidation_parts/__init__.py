"""The parts of ``bench/consolidation.py``: invented answers (``answers``), the throwaway
database (``database``), the measured parts and their forked processes (``measures``).

A package, not modules beside the script: `make bench` runs every ``bench/*.py``.
"""
