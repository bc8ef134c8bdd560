"""Chinese full-text search over the shared library (issue: search). Not built yet."""
