"""Cursor Admin API: daily usage per team member, and usage-based spend."""
