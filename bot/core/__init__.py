"""Channel-neutral core: no telegram, no sqlite_utils imports here (tests/test_architecture.py checks)."""
