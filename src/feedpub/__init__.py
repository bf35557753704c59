"""feedpub: publish a press office's dated statements as feeds and pages."""

__version__ = "0.2.0"
