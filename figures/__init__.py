"""Paper figures: one module per figure family, each registered by name."""
