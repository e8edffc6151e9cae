"""Developer and operations scripts (`python -m scripts.<name>`)."""
