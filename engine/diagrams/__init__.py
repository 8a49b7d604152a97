"""Drawing models: lane layout, routing, render, instance overlay, comparison, autolayout, fonts."""
