"""Test and benchmark helpers that speak real protocols (no mocks of our own code)."""
