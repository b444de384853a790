"""Running a center for real: readiness, metrics, backups, and several SIP nodes behind a
SIP proxy (docs/operations.md, docs/deployment.md, docs/capacity.md)."""
