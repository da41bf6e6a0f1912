"""Domain rules and definitions: periods, kinds and measures, rounding, signal tests, reference data, roles."""
