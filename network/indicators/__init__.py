"""Accessibility indicators and summaries (pure array maths), validation against published figures."""
