"""The target-agnostic contract suite: one hypothesis-driven suite for the emulator in-process,
any URL, and the live Telnyx API. It speaks HTTP only (see ``targets.py``)."""
