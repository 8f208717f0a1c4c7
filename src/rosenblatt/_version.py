"""The library version, in one place (imported by the package and by model files)."""

__version__ = "0.1.0"
