"""Webinar platform: Reflex UI + REST API over one domain layer."""
