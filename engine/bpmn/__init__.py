"""BPMN and DMN files: the hardened loader, the model reader, the catalog of model versions, diff."""
