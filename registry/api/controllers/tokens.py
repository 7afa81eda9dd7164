"""API tokens (admin only): list, create (the secret is shown once), revoke."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from sqlmodel import Session

from registry import queries
from registry.models import ApiToken
from registry.tokens import TokenError, create_token, revoke_token

from ..auth import Principal, admin_only
from ..openapi import SECURITY
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import RowId
from ..problems import Problem, ProblemItem, problems
from ..schemas import TokenCreated, TokenIn, TokenOut, TokenPage, token_out


class TokenController(Controller):
    path = "/tokens"
    tags = ("tokens",)
    security = SECURITY
    guards = (admin_only,)

    @get("/", sync_to_thread=False, responses=problems(400, 401, 403))
    def list_tokens(self, request: Request, db: Session, limit: Limit, cursor: Cursor) -> Response[TokenPage]:
        """Every token ever created (never its secret), revoked ones too."""
        page = queries.tokens(db, after=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        return Response(TokenPage(items=[token_out(t) for t in page.items], next=link), headers=link_header(link))

    @post("/", sync_to_thread=True, responses=problems(400, 401, 403, 422))
    def create(self, db: Session, principal: Principal, data: TokenIn) -> Response[TokenCreated]:
        """A new token; its secret is in this answer and nowhere else."""
        try:
            token, secret = create_token(db, data.role, data.name, data.app_id, principal.actor)
        except TokenError as error:
            items = [ProblemItem(path="app_id", message=str(error))]
            raise Problem(422, str(error), kind="invalid-token-request", errors=items) from None
        created = TokenCreated(**msgspec.structs.asdict(token_out(token)), token=secret)
        return Response(created, status_code=201, headers={"Location": f"/api/v1/tokens/{token.id}"})

    @delete("/{token_id:int}", sync_to_thread=True, status_code=200, responses=problems(401, 403, 404, 409))
    def revoke(self, db: Session, principal: Principal, token_id: RowId) -> TokenOut:
        """Revoke a token: it stops working at once. A token cannot revoke itself."""
        token = db.get(ApiToken, token_id)
        if token is None:
            raise Problem(404, f"no token {token_id}", kind="not-found")
        if token.id == principal.token_id:
            raise Problem(409, "a token cannot revoke itself; use another admin token", kind="conflict")
        try:
            return token_out(revoke_token(db, token, principal.actor))
        except TokenError as error:
            raise Problem(409, str(error), kind="conflict") from None
