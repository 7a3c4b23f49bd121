"""The domain: plain functions over plain data. No database, no Prefect, no file I/O."""
