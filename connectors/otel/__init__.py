"""OpenTelemetry: an OTLP/HTTP metrics receiver for agents that emit GenAI or Claude Code metrics."""
