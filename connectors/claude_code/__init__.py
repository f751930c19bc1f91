"""Anthropic Admin API: the Claude Code analytics report, one day per call."""
