"""Agent traces: the request model, the readers of every supported format, shared facts."""
