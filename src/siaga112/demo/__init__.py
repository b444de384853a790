"""The demo center's extras: simulated callers for demonstrations and training."""
