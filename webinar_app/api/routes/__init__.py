"""One router per domain, aggregated in `api.main`."""
