"""Command handlers: one transaction each, through the unit of work."""
