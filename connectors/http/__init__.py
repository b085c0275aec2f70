"""The platform's built-in HTTP connector: services answered by a department's own REST backend."""
