"""One controller per resource, all under /api/v1."""
