"""Custom NLU components, listed by module path in config.yml."""
