"""The catalogs: third-party SDKs (search by any name, vendor, package or Maven coordinate), Android
platform permissions and personal-information data items, each searchable and one entry at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Annotated, TypeVar

from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from manifests.catalog_queries import search
from manifests.data_item_catalog import DataItem, load_data_items
from manifests.names import folded
from manifests.permission_catalog import PlatformPermission, load_permission_catalog
from manifests.sdk_catalog import SdkEntry, load_sdk_catalog

from ..etags import ETagMiddleware
from ..openapi import SECURITY
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import NO_NUL
from ..problems import Problem, cached
from ..schemas import DataItemPage, PermissionPage, SdkPage, sdk_summary

T = TypeVar("T")
Query = Annotated[
    str | None, Parameter(max_length=200, pattern=NO_NUL, description="What to look for (any case, en or zh).")
]


def _window(request: Request, items: Sequence[T], limit: int, cursor: str | None) -> tuple[Sequence[T], str | None]:
    start = decode_cursor(cursor, int) or 0
    if start < 0:
        raise Problem(400, "the cursor is not one this list gave out", kind="invalid-cursor")
    end = start + limit
    return items[start:end], next_link(request, end if end < len(items) else None)


@lru_cache(maxsize=4096)
def _search(text: str) -> tuple[SdkEntry, ...]:
    """The catalog does not change while the server runs: a search answered once is answered."""
    return tuple(search(load_sdk_catalog(), text))


def _not_found(what: str) -> Problem:
    return Problem(404, f"the catalog has no {what}", kind="not-found")


class CatalogController(Controller):
    path = "/catalog"
    tags = ("catalog",)
    security = SECURITY
    middleware = (ETagMiddleware,)

    @get("/sdks", sync_to_thread=False, responses=cached(400, 401))
    def list_sdks(self, request: Request, limit: Limit, cursor: Cursor, q: Query = None) -> Response[SdkPage]:
        """SDKs by id; with `q`, the best matches first (exact names, then prefixes, then any field)."""
        entries = _search(q) if q else load_sdk_catalog()
        items, link = _window(request, entries, limit, cursor)
        return Response(SdkPage(items=[sdk_summary(e) for e in items], next=link), headers=link_header(link))

    @get("/sdks/{sdk_id:str}", sync_to_thread=False, responses=cached(401, 404))
    def get_sdk(self, sdk_id: str) -> SdkEntry:
        """Everything the catalog holds on one SDK, with the source of each fact."""
        entry = next((entry for entry in load_sdk_catalog() if entry.id == sdk_id), None)
        if entry is None:
            raise _not_found(f"SDK {sdk_id!r}")
        return entry

    @get("/permissions", sync_to_thread=False, responses=cached(400, 401))
    def list_permissions(
        self, request: Request, limit: Limit, cursor: Cursor, q: Query = None
    ) -> Response[PermissionPage]:
        """Android platform permissions by name; `q` is part of a name or an en/zh label."""
        permissions = sorted(load_permission_catalog().values(), key=lambda permission: permission.name)
        items, link = _window(request, _matching(permissions, q, _texts), limit, cursor)
        return Response(PermissionPage(items=list(items), next=link), headers=link_header(link))

    @get("/permissions/{name:str}", sync_to_thread=False, responses=cached(401, 404))
    def get_permission(self, name: str) -> PlatformPermission:
        """One platform permission: protection level, API levels, labels, personal-information category."""
        permission = load_permission_catalog().get(name)
        if permission is None:
            raise _not_found(f"platform permission {name!r}")
        return permission

    @get("/data-items", sync_to_thread=False, responses=cached(400, 401))
    def list_data_items(
        self, request: Request, limit: Limit, cursor: Cursor, q: Query = None
    ) -> Response[DataItemPage]:
        """Personal-information data items by id; `q` is part of an id, name or alias."""
        found = sorted(load_data_items().values(), key=lambda item: item.id)
        items, link = _window(request, _matching(found, q, _item_texts), limit, cursor)
        return Response(DataItemPage(items=list(items), next=link), headers=link_header(link))

    @get("/data-items/{item_id:str}", sync_to_thread=False, responses=cached(401, 404))
    def get_data_item(self, item_id: str) -> DataItem:
        """One data item: names, aliases, whether it is sensitive, its Google Play data type."""
        item = load_data_items().get(item_id)
        if item is None:
            raise _not_found(f"data item {item_id!r}")
        return item


def _matching(values: list[T], q: str | None, texts: Callable[[T], tuple[str | None, ...]]) -> list[T]:
    """The values one of whose texts contains `q` (width, case and whitespace folded); all without `q`."""
    if not q:
        return values
    wanted = folded(q)
    return [value for value in values if any(wanted in folded(text or "") for text in texts(value))]


def _texts(permission: PlatformPermission) -> tuple[str | None, ...]:
    return (permission.name, permission.label_en, permission.label_zh)


def _item_texts(item: DataItem) -> tuple[str | None, ...]:
    return (item.id, item.name.en, item.name.zh, *item.aliases)
