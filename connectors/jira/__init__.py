"""Jira tickets, on Jira Cloud and on Jira Server / Data Center (through the ``jira`` package)."""
