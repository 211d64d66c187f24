"""Reference application of the tdah platform (deployed by the api role)."""
__version__ = "0.1.0"
