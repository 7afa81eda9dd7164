"""The OpenAPI document Litestar serves at /api/v1/schema (JSON at /api/v1/schema/openapi.json, the
interactive page at /api/v1/schema/swagger), and the request bodies a handler reads itself."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)

SCHEMA_PATH = "/api/v1/schema"
BEARER = "bearerToken"
SECURITY = [{BEARER: []}]

DESCRIPTION = """What any release of an app contained, what its privacy policy declared at the time, and
what was flagged. Send `Authorization: Bearer TOKEN` (`consentry token create`): `auditor` tokens read,
`publisher` tokens also write their own app, `admin` tokens write every app and manage tokens. Errors are
`application/problem+json`; lists take `limit` and `cursor` and give the `next` page's link."""


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="consentry registry",
        version=version("consentry"),
        description=DESCRIPTION,
        path=SCHEMA_PATH,
        render_plugins=[SwaggerRenderPlugin(), JsonRenderPlugin(), YamlRenderPlugin()],
        use_handler_docstrings=True,
        components=Components(
            security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer", description="An API token.")}
        ),
    )


def _operation_with_body(content: dict[str, Schema], description: str) -> type[Operation]:
    """An Operation class that documents a body the handler reads from the request stream itself."""

    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={media: OpenAPIMediaType(schema=schema) for media, schema in content.items()},
                description=description,
                required=True,
            )

    return WithBody


DeclarationsBody = _operation_with_body(
    {
        "application/json": Schema(
            type=OpenAPIType.OBJECT, description="Declarations, schema `consentry/declarations/1`."
        ),
        "application/yaml": Schema(type=OpenAPIType.STRING, description="The same, as YAML (`privacy.yaml`)."),
    },
    "The declarations to publish, validated as `consentry publish` does.",
)
UploadBody = _operation_with_body(
    {
        "multipart/form-data": Schema(
            type="object",
            properties={
                "file": Schema(type=OpenAPIType.STRING, format="binary", description="The APK, split set or AAB.")
            },
            required=["file"],
        )
    },
    "The release artifact, as the `file` field of a multipart form.",
)


TEXT_FORMATS = ("text/markdown", "text/html", "text/csv")


@dataclass
class DisclosureOperation(Operation):
    """Documents the disclosure tables' 200 in every media type `format` chooses."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {media: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)) for media in TEXT_FORMATS}
            ok.content["application/json"] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.OBJECT, description="Schema `consentry/disclosure/1`.")
            )
