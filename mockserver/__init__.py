"""telnyx-mockserver: a faithful, stateful emulator of Telnyx's phone-number batch-jobs API."""

__version__ = "0.1.0"
