lgsp coverage                                           # headline and a table of departments
lgsp coverage --window 7d --at -7d --format json        # a week, a week ago; or --format csv
curl -s "$LGSP_URL/api/v1/coverage?window=30d"
curl -s "$LGSP_URL/api/v1/coverage.csv" > coverage.csv
curl -s "$LGSP_URL/api/v1/coverage/trend?days=30"
