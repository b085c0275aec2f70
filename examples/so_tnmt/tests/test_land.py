ADDRESS = "H50.20/tra-cuu-thua-dat/v2"


async def test_a_known_parcel(lgsp_sandbox):
    call = await lgsp_sandbox.call(ADDRESS, {"ma_xa": "19333", "so_to": 12, "so_thua": 145})
    assert call.status == 200
    assert call.body["muc_dich_su_dung"]["ma"] == "ODT"
    logged = await lgsp_sandbox.exchange(call.exchange_id)
    assert logged["response_payload"]["owner"]["citizen_id"] == "***"


async def test_an_unknown_parcel(lgsp_sandbox):
    call = await lgsp_sandbox.call(ADDRESS, {"parcel_id": "19333-99-999"})
    assert call.status == 200
    assert call.body == {"found": False}


async def test_the_deprecated_major_names_the_former_district(lgsp_sandbox):
    call = await lgsp_sandbox.call("H50.20/tra-cuu-thua-dat/v1", {"parcel_id": "19333-12-145"})
    assert call.status == 200
    assert (call.body["ten_xa"], call.body["ten_huyen"]) == ("Phường Đông Hà", "Thành phố Đông Hà")
