"""phasegate's own rules: what the engine needs to run a model."""
