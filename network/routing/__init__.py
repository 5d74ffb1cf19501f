"""Compiled arrays per mode, searches and legs; engine.py is the one search engine."""
