"""Coverage (DESIGN.md §6): registered, connected and sharing databases, per agency and for the province."""
