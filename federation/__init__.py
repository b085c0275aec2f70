"""The national tier: members of the federation, the signed directory, services published nationally."""
