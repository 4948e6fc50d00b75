"""The benchmark harness: wrk output, merged percentiles, the table, and what `prepare` measures."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework import status

from apps.bench.report import Line, Section, markdown_table, unmet_goals
from apps.bench.wrk import QUANTILE_POINTS, Measurement, Slice, Target, _lua_script, parse_output
from apps.feed.models import Post


def uniform_slice(requests: int, latency_us: float, duration_us: int = 1_000_000) -> Slice:
    return Slice(requests=requests, duration_us=duration_us, errors=0, non_2xx=0, quantiles=[latency_us] * QUANTILE_POINTS)


def test_wrk_output_parsed():
    quantiles = " ".join(str(1000 + index) for index in range(QUANTILE_POINTS))
    output = f"Running 2s test\n  1 threads\nBENCH 500 2000000 1 2 0 7 3 {quantiles}\n"

    parsed = parse_output(output)

    assert parsed.requests == 500
    assert parsed.duration_us == 2_000_000
    assert parsed.errors == 6
    assert parsed.non_2xx == 7
    assert parsed.quantiles[0] == 1000
    assert len(parsed.quantiles) == QUANTILE_POINTS


def test_wrk_output_without_line_raises():
    with pytest.raises(RuntimeError, match="no BENCH line"):
        parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_percentiles_merge_by_requests():
    measurement = Measurement(Target("t", "http://127.0.0.1/"))
    measurement.slices = [uniform_slice(100, 1000), uniform_slice(300, 3000)]

    assert measurement.percentile_ms(20) == pytest.approx(1.0)
    assert measurement.percentile_ms(50) == pytest.approx(3.0)
    assert measurement.requests_per_second == pytest.approx(200.0)


def test_percentiles_without_requests_nan():
    measurement = Measurement(Target("t", "http://127.0.0.1/"))

    assert measurement.percentile_ms(50) != measurement.percentile_ms(50)


def test_lua_script_token_and_ports():
    script = _lua_script(Target("t", "http://127.0.0.1:8601/api/v1/feed", token="secret", ports=(8601, 8603), threads=2))

    assert 'wrk.headers["Authorization"] = "Bearer secret"' in script
    assert "local ports = {8601, 8603}" in script


def test_lua_script_single_port_no_addresses():
    script = _lua_script(Target("t", "http://127.0.0.1:8601/", ports=(8601,)))

    assert "local ports = {}" in script
    assert "Authorization" not in script


def test_table_marks_unmet_goal():
    section = Section(
        "Feed",
        [
            Line("feed page", 100.0, 50.0, 90.0, 3, ratio="0.40× floor req/s", goal="≥ 0.5", met=False),
            Line("framework floor", 250.0, 20.0, 40.0, 1, ratio="reference"),
            Line("hashtag page", note="n/a (endpoint missing)"),
        ],
    )

    table = markdown_table([section])

    assert "| feed page | 100 | 50.0 | 90.0 | 3 | 0.40× floor req/s | ≥ 0.5 | **no** |  |" in table
    assert "| hashtag page |  |  |  |  |  |  |  | n/a (endpoint missing) |" in table
    assert unmet_goals([section]) == ["Feed: feed page: 0.40× floor req/s (goal ≥ 0.5)"]


@pytest.fixture
def tiny_seed(db):
    call_command("seed", preset="tiny", stdout=StringIO())


def test_prepare_cursor_starts_after_depth(tiny_seed, alice_client):
    from apps.bench.prepare import POST_ORDERING, _cursor_path

    published = Post.objects.filter(status=Post.Status.PUBLISHED)
    path = _cursor_path("/api/v1/posts", published, 100)

    response = alice_client.get(path)

    assert response.status_code == status.HTTP_200_OK, response.content
    expected = list(published.order_by(*POST_ORDERING).values_list("id", flat=True)[100:120])
    assert [post["id"] for post in response.json()["results"]] == expected


def test_prepare_counts_endpoint_queries(tiny_seed):
    from apps.accounts.services import token_create
    from apps.bench.prepare import _count_queries, _endpoints, _users

    users = _users()
    tokens = {role: token_create(user=user)[1] for role, user in users.items()}
    endpoints, deep = _endpoints(users)

    _count_queries(endpoints, tokens)

    by_key = {endpoint.key: endpoint for endpoint in endpoints}
    assert by_key["feed"].exists
    assert by_key["feed"].status == status.HTTP_200_OK
    assert 1 <= by_key["feed"].queries <= 3
    assert by_key["posts_deep"].status == status.HTTP_200_OK
    assert deep["posts"] == int(Post.objects.count() * 0.9)


def test_prepare_floor_missing_without_env(tiny_seed):
    from apps.bench.prepare import _count_queries, _endpoints, _users

    users = _users()
    endpoints, _ = _endpoints(users)

    _count_queries(endpoints, {role: "unused" for role in users})

    floor = next(endpoint for endpoint in endpoints if endpoint.key == "floor")
    assert floor.exists is False
    assert floor.queries is None
