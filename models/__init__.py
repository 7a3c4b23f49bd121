"""The domain and the database of ratsfrist.

Pure modules (states, intake, timeutil) import neither sqlmodel nor prefect and never read the
clock; tables, db and services hold the database side.
"""
