"""Plan scenarios: schema, loading and composition, application to a network."""
