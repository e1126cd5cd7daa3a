"""The `qa chat` terminal UI (Textual); a thin layer over `qa.engine.Engine`."""
