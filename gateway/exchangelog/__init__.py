"""The exchange log (DESIGN.md §7): one durable, hash-chained record per exchange, written in batches."""
