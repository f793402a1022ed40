"""bulletin: a month's news articles in, a printed Vietnamese bulletin out.

The public names are few; the stages live in their own modules.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
