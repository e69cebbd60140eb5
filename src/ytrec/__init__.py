"""ytrec: hybrid content-based video recommendations from thumbnails and titles."""

__version__ = "0.1.0"
