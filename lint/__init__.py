"""ctxlint: find what breaks the prefix cache of LLM prompts and agent traces."""

__version__ = "0.1.0"
