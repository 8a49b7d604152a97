"""The business-adjustment programme's own Python: forms, service handlers, default roster."""
