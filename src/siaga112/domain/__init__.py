"""The domain core: calls, incidents, units, positions, triage and their rules.

Pure Python: only the standard library may be imported here (a test checks it),
so the rules of a 112 center can be read and tested without any framework.
"""
