"""The only code that touches SpiffWorkflow 3.2: parser, workflow subclass, serializer, script engine,
compaction of the task tree, and the few library patches phasegate still needs.
"""
