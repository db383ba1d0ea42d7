"""Agent traces: the request model, reading files of every supported format, and the facts the trace rules share."""
