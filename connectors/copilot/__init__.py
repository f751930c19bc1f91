"""GitHub Copilot: seats (PyGithub) and the daily per-user usage-metrics reports (NDJSON downloads)."""
