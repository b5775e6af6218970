"""The REST door: FastAPI routers that follow `shared/spec/api-contract.md`."""
