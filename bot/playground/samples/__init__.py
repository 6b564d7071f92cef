"""Sample data the playground loads on request."""
