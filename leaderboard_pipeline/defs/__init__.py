"""Dagster wiring: thin assets over the plain functions in ``leaderboard_pipeline.layers``."""
