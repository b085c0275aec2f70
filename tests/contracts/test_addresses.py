import pytest

from contracts.addresses import Address, is_agency_code, parent_agency_code
from contracts.errors import InvalidInput


class TestAgencyCode:
    @pytest.mark.parametrize("code", ["H50", "H50.20", "A01.01.03", "G12.1A.B3"])
    def test_accepts_decision_20_codes(self, code: str) -> None:
        assert is_agency_code(code)

    @pytest.mark.parametrize(
        "code", ["h50", "Z50", "H5", "H500", "H50.", "H50..1", "H50-20", "H50." + "1" * 40]
    )
    def test_refuses_other_shapes(self, code: str) -> None:
        assert not is_agency_code(code)

    def test_parent_is_the_code_without_its_last_group(self) -> None:
        assert parent_agency_code("H50.20.03") == "H50.20"
        assert parent_agency_code("H50") is None


class TestAddress:
    def test_round_trips_through_text(self) -> None:
        address = Address.parse("H50.20/tra-cuu-thua-dat/v2")
        assert (address.agency, address.code, address.major) == ("H50.20", "tra-cuu-thua-dat", 2)
        assert str(address) == "H50.20/tra-cuu-thua-dat/v2"

    def test_topics_are_valid_kafka_names(self) -> None:
        address = Address.parse("H50.20/tra-cuu-thua-dat/v2")
        assert address.service_topic == "lgsp.svc.h50_20.tra-cuu-thua-dat.v2"
        assert address.share_topic == "lgsp.share.h50_20.tra-cuu-thua-dat.v2"

    @pytest.mark.parametrize("text", ["H50.20/tra-cuu", "H50.20/Tra/v1", "h50/x/v1", "H50/x/v01", "H50/x/1"])
    def test_refuses_malformed_addresses(self, text: str) -> None:
        with pytest.raises(InvalidInput):
            Address.parse(text)
