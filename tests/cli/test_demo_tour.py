from tests.harness import run_cli


class TestDemoTour:
    async def test_tour_shows_calls_refusals_and_an_intact_log(self) -> None:
        result = await run_cli(["demo"])
        assert result.exit_code == 0, result.output
        output = result.output
        assert "HTTP 200: parcel 19333-12-145" in output
        assert "HTTP 422 request-invalid" in output
        assert "HTTP 403 insufficient-scope" in output
        assert "intact: 4 records checked" in output
        assert "Traceback" not in output
