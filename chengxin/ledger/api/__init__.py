"""/api/v1/log/: the transparency log as JSON — checkpoint, proofs, leaves, bundles, look-ups."""
