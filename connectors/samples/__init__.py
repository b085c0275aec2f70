"""Sample department databases: deterministic synthetic data for the demo province, Quảng Trị (H50).

Each domain package (`dat_dai`, `doanh_nghiep`, ...) holds one department's offline database in `data.py`:
a seeded generator, `create_database(path, *, size, seed)` writing an SQLite file, and the sync queries its
connector runs, one per service and one per dataset of its contracts (`registry/demo/contracts`).
`catalogue.SAMPLES` lists them all.
"""
