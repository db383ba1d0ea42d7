"""The Python analysis every rule shares: prefilter, index, prompt sinks and value flow."""
