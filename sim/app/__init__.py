"""The what-if app: Mesa's Solara visualisation for workshops (see :mod:`sim.app.page`)."""
