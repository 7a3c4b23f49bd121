"""Prefect flows and the command line. Importing this package must not import prefect."""
