"""The synthesis pipeline: approved notes -> segments -> embeddings -> themes (see pipeline.py)."""
