"""ceremony: an offline root key ceremony tool for TUF repositories."""

__version__ = "0.1.0"
