"""National monitoring: members' signed coverage reports to the national tier, and the national coverage."""
