"""Everything that imports torch or transformers: model loading, generation, embeddings.

Only worker processes import this package; `apps/` never does (the web process has no torch).
"""
