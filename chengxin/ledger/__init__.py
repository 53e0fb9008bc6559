"""The transparency log: every key record of Chengxin is a leaf in one append-only Merkle log.

The cryptographic core lives in pure modules here (``merkle``, ``note``, ``checkpoint``) that
never import Django, so the offline verifier, the CLI and the browser port can share them.
"""
