"""Test factories shared by every app's tests (no fixture files)."""
