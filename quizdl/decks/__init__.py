"""Deck values (pydantic), the strict YAML loader, and the bundled decks."""
