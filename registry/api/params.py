"""Parameters many operations share: row ids and version numbers within what the database stores."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_INT = 2**31 - 1
"""The largest id or number a column holds (PostgreSQL `integer`)."""

RowId = Annotated[int, Parameter(ge=1, le=MAX_INT)]
VersionNumber = Annotated[int, Parameter(ge=1, le=MAX_INT, description="1, 2, 3 ... in order of publication.")]
VersionCode = Annotated[int | None, Parameter(ge=0, le=MAX_INT, description="The build's versionCode.")]

NO_NUL = r"^[^\u0000]*$"
"""Text a database can store (PostgreSQL refuses the NUL character)."""
AppId = Annotated[str, Parameter(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100, description="The app's id.")]
