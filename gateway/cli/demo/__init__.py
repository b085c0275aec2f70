"""The demo province at work: seeded registry, sample connectors, the warehouse, history and live traffic."""
