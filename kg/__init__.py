"""Knowledge graph of historical correspondence: sources, mapping, validation, publication."""
