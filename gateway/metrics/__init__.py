"""Prometheus metrics of one gateway: its own registry, so that several apps in one process never clash."""
