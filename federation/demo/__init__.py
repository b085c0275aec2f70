"""`lgsp federation up --demo`: the national tier and the four seed provinces, each its own `lgsp up` process."""
