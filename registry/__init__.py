"""The registry: agencies, databases, contracts, clients and grants."""
