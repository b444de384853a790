"""Siaga112: 112 emergency call handling and dispatch for Indonesian cities."""

__version__ = "0.1.0"
