"""Request models and response shapers, one module per domain."""
