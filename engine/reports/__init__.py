"""Figures the engine measures from its own audit log: spans between events, percentiles, follow-ups
kept or late, timers that fired. Generic: the programme says which tasks mark what."""
