"""The public directory of health professionals: import, search, synthetic extracts."""
