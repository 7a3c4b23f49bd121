"""Use cases: plain functions over a session, each returning a typed result."""
