"""Running instances: load → act → save (runner), timers and calendars, forms, the worker loop.

Reaches SpiffWorkflow only through `engine.spiff`.
"""
