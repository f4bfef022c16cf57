"""Files in and out: scenario files (YAML) and run records (tables, summary)."""
