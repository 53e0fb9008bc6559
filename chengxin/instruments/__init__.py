"""Type approvals and scales: the registry and the one lifecycle state machine."""
