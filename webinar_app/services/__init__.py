"""The domain layer: every rule lives here, called by both the REST API and the Reflex states."""
