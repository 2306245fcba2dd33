"""shequn (社群体检): find out why a community is not active, and write its operator a prescription."""

__version__ = "0.1.0"
