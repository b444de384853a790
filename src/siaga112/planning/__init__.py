"""Staffing: Erlang models and simulation from the center's own history."""
