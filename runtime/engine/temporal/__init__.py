"""Runs as Temporal workflows (selected by BRAIN_TEMPORAL_ADDRESS): see `engine.py`."""
