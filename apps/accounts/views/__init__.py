"""Accounts endpoints, one module per concept: authentication, the caller's profile, users."""
