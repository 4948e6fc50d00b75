"""The OpenAPI document of the feed endpoints: summaries, statuses, parameters and examples."""

import pytest
from drf_spectacular.generators import SchemaGenerator

OPERATIONS = {
    ("/api/v1/media", "post"): {"201", "400", "401", "413", "415", "422", "429"},
    ("/api/v1/posts", "get"): {"200", "400", "401", "429"},
    ("/api/v1/posts", "post"): {"201", "400", "401", "413", "415", "422", "429"},
    ("/api/v1/posts/{id}", "get"): {"200", "401", "404", "429"},
    ("/api/v1/posts/{id}", "patch"): {"200", "400", "401", "403", "404", "413", "415", "429"},
    ("/api/v1/posts/{id}", "delete"): {"204", "401", "403", "404", "429"},
    ("/api/v1/feed", "get"): {"200", "400", "401", "429"},
    ("/api/v1/users/{username}/posts", "get"): {"200", "400", "401", "404", "429"},
    ("/api/v1/hashtags", "get"): {"200", "400", "401", "429"},
    ("/api/v1/hashtags/{name}/posts", "get"): {"200", "400", "401", "429"},
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("path", "method"), sorted(OPERATIONS))
def test_schema_operation_documented(schema, path, method):
    operation = schema["paths"][path][method]

    assert operation["summary"]
    assert operation["description"]
    assert set(operation["responses"]) == OPERATIONS[(path, method)]
    success = next(status for status in OPERATIONS[(path, method)] if status.startswith("2"))
    if success != "204":
        assert operation["responses"][success]["content"]["application/json"]["examples"]
    if "requestBody" in operation:
        assert any(content.get("examples") for content in operation["requestBody"]["content"].values())


def test_schema_post_filters_listed(schema):
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/posts"]["get"]["parameters"]}

    assert names == {
        "author",
        "hashtag",
        "search",
        "published_after",
        "published_before",
        "has_media",
        "cursor",
        "page_size",
    }


def test_schema_hashtag_ordering_listed(schema):
    parameters = {
        parameter["name"]: parameter for parameter in schema["paths"]["/api/v1/hashtags"]["get"]["parameters"]
    }

    assert sorted(parameters["ordering"]["schema"]["enum"]) == ["-posts_count", "name"]
    assert "search" in parameters


def test_schema_post_list_paginated(schema):
    response = schema["paths"]["/api/v1/feed"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert response == {"$ref": "#/components/schemas/PaginatedPostList"}
    assert set(schema["components"]["schemas"]["PaginatedPostList"]["properties"]) == {"next", "previous", "results"}


def test_schema_media_request_multipart(schema):
    content = schema["paths"]["/api/v1/media"]["post"]["requestBody"]["content"]

    assert set(content) == {"multipart/form-data"}


@pytest.mark.parametrize(
    ("component", "optional", "required"),
    [
        ("Post", {"liked_by_me"}, {"id", "author", "media", "publish_at"}),
        ("User", {"is_following", "follows_you"}, {"id", "username", "followers_count"}),
    ],
)
def test_schema_caller_fields_optional(schema, component, optional, required):
    properties = schema["components"]["schemas"][component]

    assert optional <= set(properties["properties"])
    assert not optional & set(properties["required"])
    assert required <= set(properties["required"])
