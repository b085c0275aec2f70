TOKEN=$(curl -s -u "$LGSP_CLIENT_ID:$LGSP_CLIENT_SECRET" -d grant_type=client_credentials \
        "$LGSP_URL/oauth/token" | jq -r .access_token)
curl -s "$LGSP_URL/exchange/H50.20/tra-cuu-thua-dat/v1" -H "Authorization: Bearer $TOKEN" \
     -H 'Content-Type: application/json' -H 'X-Request-ID: HS-000123' \
     -d '{"ma_xa": "19333", "so_to": 12, "so_thua": 145}'
