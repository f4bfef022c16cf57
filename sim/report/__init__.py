"""Self-contained HTML reports (Plotly, opened offline)."""
