"""GitHub pull requests, their reviews and their own commits (through PyGithub)."""
