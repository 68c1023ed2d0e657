"""Capture: the data Harvest keeps (events, tables, notes) and the importers that fill it."""
