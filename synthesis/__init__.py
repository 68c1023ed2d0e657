"""The synthesis pipeline: approved notes -> segments -> embeddings -> themes (see pipeline.py)."""

# First, so sqlite-utils is imported the way capture/__init__.py does it (without pandas).
import capture  # noqa: F401
