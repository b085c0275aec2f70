"""Contracts: the versioned documents that define services and datasets. Pure: no network, no database."""
