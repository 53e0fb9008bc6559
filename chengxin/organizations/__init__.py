"""Organisations of every kind, their users and roles, and their authorisations."""
