"""Cassettes: record HTTP exchanges with redaction, replay them, and check them for drift.

``format`` (the VCR.py-compatible YAML file) is the base; ``redact``, ``record``, ``replay`` and
``drift`` build on it, each without the others.
"""
