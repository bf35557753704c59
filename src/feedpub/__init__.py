"""feedpub: publish a press office's dated statements as feeds and pages."""

__version__ = "0.1.0"
