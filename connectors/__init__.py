"""The department side: the connector SDK and runner, sample connectors, and the warehouse sink."""
