"""The errors a user can cause: each carries a one-line message the CLI prints as it is."""

from __future__ import annotations


class RatsfristError(Exception):
    """Base of every error caused by input rather than by a bug; the CLI exits 2 on it."""


class NotFound(RatsfristError):
    """A reference, committee or meeting that is not in the database."""


class InvalidInput(RatsfristError):
    """A value given on the command line or in a form that cannot be used."""
