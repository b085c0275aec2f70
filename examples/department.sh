cd examples/so_tnmt
lgsp contract verify contracts/tra-cuu-thua-dat-2.0.0.yaml --connector so_tnmt.connector:connector
python -m pytest -q                              # the sandbox tests in tests/
