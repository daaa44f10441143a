"""Integration tests use the session-wide `stack` fixture of tests/conftest.py."""
