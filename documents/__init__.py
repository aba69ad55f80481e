"""Word documents and consolidated tables built from submissions (see issues 5 and 6)."""
