"""The study service: use cases shared by the CLI and the TUI (UI-agnostic)."""
