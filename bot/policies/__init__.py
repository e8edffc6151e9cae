"""Custom dialogue policies, listed by module path in config.yml."""
