"""Admin views and hooks of the programs app's survey part."""
