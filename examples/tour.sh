lgsp agency create H50.22 "Ban Quản lý Khu kinh tế tỉnh"
lgsp database create H50.22 csdl-du-an-dau-tu "CSDL dự án đầu tư trong khu kinh tế"
lgsp contract lint examples/contracts/tra-cuu-du-an-1.0.0.yaml   # check a contract document locally
lgsp contract check examples/contracts/tra-cuu-du-an-1.0.0.yaml examples/contracts/tra-cuu-du-an-1.1.0.yaml
lgsp contract register examples/contracts/tra-cuu-du-an-1.0.0.yaml   # checked again; refused if it breaks
lgsp catalogue --kind service                   # what is published
lgsp client create H50.01 "Cổng dịch vụ công" --id cong-dvc      # prints the secret once, on its last line
SECRET=$(lgsp client rotate-secret cong-dvc | tail -1)           # a new one, kept for the call below
lgsp grant create cong-dvc H50.20/tra-cuu-thua-dat/v1 --purpose "Giải quyết thủ tục đất đai" --rate 600
LGSP_CLIENT_ID=cong-dvc LGSP_CLIENT_SECRET=$SECRET \
  lgsp call H50.20/tra-cuu-thua-dat/v1 -d '{"ma_xa": "19333", "so_to": 12, "so_thua": 145}'
lgsp log verify                                 # the exchange log's hash chains (reads the database)
