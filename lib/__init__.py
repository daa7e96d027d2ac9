"""Stancewatch library: everything that can be tested without a browser."""
