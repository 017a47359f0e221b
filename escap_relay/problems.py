"""Every error the relay answers is an RFC 9457 problem document, in French.

``type`` is a URN naming the problem (stable, for programs); ``title`` names the kind of problem
and ``detail`` explains this occurrence, both meant to be shown to a professional.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from escap_desktop.sync.wire import PROBLEM_MEDIA_TYPE

logger = logging.getLogger(__name__)

TITLES: dict[int, str] = {
    400: "Requête incorrecte",
    401: "Authentification refusée",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    410: "Historique effacé",
    413: "Requête trop volumineuse",
    422: "Contenu invalide",
    429: "Trop de requêtes",
    500: "Erreur interne du relais",
}

_HTTP_DETAILS: dict[int, str] = {
    404: "Cette adresse n'existe pas sur le relais.",
    405: "Cette méthode n'est pas acceptée à cette adresse.",
}


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {
        "type": f"urn:escap:probleme:{slug}",
        "title": TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
        **extensions,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def from_problem(problem: ProblemError) -> JSONResponse:
    return problem_response(
        problem.status,
        problem.slug,
        problem.detail,
        headers=problem.headers,
        **problem.extensions,
    )


def install_handlers(app: FastAPI) -> None:
    """Replaces FastAPI's default error bodies (including its 422) with problem documents."""

    @app.exception_handler(ProblemError)
    async def _relay_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return from_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": [str(part) for part in error.get("loc", ())],
                "message": str(error.get("msg", "")),
                "kind": str(error.get("type", "")),
            }
            for error in exc.errors()[:20]
        ]
        return problem_response(
            422,
            "requete-invalide",
            "Le contenu de la requête ne respecte pas le format attendu "
            "(champ manquant, inconnu, ou de taille invalide).",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = _HTTP_DETAILS.get(exc.status_code, "La requête n'a pas pu être traitée.")
        return problem_response(
            exc.status_code,
            f"http-{exc.status_code}",
            detail,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error("Erreur inattendue sur %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            500, "erreur-interne", "Le relais a rencontré une erreur inattendue."
        )
