"""Calls across the federation: the origin, transit and provider hops, and the trace of one exchange."""
