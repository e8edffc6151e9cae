"""Reading the content files editors write (knowledge entries, territory data): problems
reported with their file and line, YAML read with line numbers."""
