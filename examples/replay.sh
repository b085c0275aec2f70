lgsp replay run --address H50.20/tra-cuu-thua-dat/v1 --limit 50      # on the same gateway, as yourself
lgsp replay export --output land.jsonl --address H50.20/tra-cuu-thua-dat/v1 --captured-only
lgsp replay run --cassette land.jsonl                                # from the cassette (--target: elsewhere)
lgsp replay run --cassette land.jsonl --connector connectors.samples.connectors:build_connectors  # no gateway
