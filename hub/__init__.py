"""Council Hub: public participation in live council meetings."""

__version__ = "0.1.0"
