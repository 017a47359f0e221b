"""Pro Santé Connect on the app's side: proving the professional's RPPS number to a relay.

Pro Santé Connect (PSC) is the national OpenID Connect provider of French health professionals
(e-CPS app or CPS card). A relay operator may require it (``escap_relay/pro_sante_connect.py``):
the relay then binds an RPPS number only to a device that sends an ID token carrying it.

The flow is the standard one for a desktop application (RFC 8252): authorization code with PKCE
(S256), a state and a nonce, the browser sent to the provider, the answer received on a
loopback address (``http://127.0.0.1:<port>/callback``) this module listens on for the time of
the sign-in. Authlib's OAuth 2 functions build the authorization request, the PKCE challenge and
the token request and check the answer's state (its httpx session helper is deprecated, so httpx
sends them); joserfc checks the ID token's signature against the provider's published keys
(JWKS), its issuer, audience, expiry and nonce.

The nonce binds the token to this device: it is ``<device key id>.<random>``, so a token obtained
for one device cannot register another (the relay checks the prefix).

What PSC puts in its tokens is read as documented publicly: the professional's national
identifier ``SubjectNameID`` (IDNPS, "8" followed by the 11-digit RPPS number), else
``preferred_username``. Where a deployment differs, ``rpps_of`` is the one place to adapt.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.oauth2.rfc6749.parameters import (
    parse_authorization_code_response,
    prepare_grant_uri,
    prepare_token_request,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.jwk import KeySet

from escap_desktop.core.errors import EscapError
from escap_desktop.sync.wire import (
    IdentityTokenError,
    check_id_token,
    device_nonce,
    rpps_of,
)

SIGN_IN_TIMEOUT_S = 300.0


class ProSanteConnectError(EscapError):
    """The sign-in did not give a usable proof (a French sentence for the professional)."""


@dataclass(frozen=True, slots=True)
class ProvenIdentity:
    id_token: str
    rpps: str


def provider_keys(issuer: str, client: httpx.Client) -> tuple[dict[str, Any], KeySet]:
    """The provider's discovery document and its signing keys."""
    try:
        response = client.get(issuer.rstrip("/") + "/.well-known/openid-configuration")
        response.raise_for_status()
        configuration = response.json()
        jwks = client.get(configuration["jwks_uri"])
        jwks.raise_for_status()
        return configuration, KeySet.import_key_set(jwks.json())
    except (httpx.HTTPError, KeyError, ValueError) as error:
        raise ProSanteConnectError(
            "Pro Santé Connect est injoignable : vérifiez la connexion, puis réessayez."
        ) from error


class _Callback(BaseHTTPRequestHandler):
    received: dict[str, str]
    done: threading.Event

    def do_GET(self) -> None:
        type(self).received["path"] = self.path
        body = (
            "<html><body><p>Authentification terminée : vous pouvez revenir à ESCAP Desktop."
            "</p></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        type(self).done.set()

    def log_message(self, format: str, *args: object) -> None:
        return None  # nothing of the answer (a code) goes to a log


def sign_in(
    *,
    issuer: str,
    client_id: str,
    device_id: str,
    open_browser: Callable[[str], object],
    now: Callable[[], int],
    timeout_s: float = SIGN_IN_TIMEOUT_S,
    transport: httpx.BaseTransport | None = None,
) -> ProvenIdentity:
    """Signs the professional in with Pro Santé Connect and returns the ID token for this device.

    ``open_browser`` shows the provider's page (the GUI opens the system browser); the answer
    comes back to a loopback listener. ProSanteConnectError (French) when anything fails.
    """
    with httpx.Client(transport=transport, timeout=10.0) as http:
        configuration, keys = provider_keys(issuer, http)
    received: dict[str, str] = {}
    done = threading.Event()
    handler = type("Callback", (_Callback,), {"received": received, "done": done})
    server = HTTPServer(("127.0.0.1", 0), handler)
    redirect_uri = f"http://127.0.0.1:{server.server_port}/callback"
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    nonce = device_nonce(device_id)
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(24)
    url = prepare_grant_uri(
        configuration["authorization_endpoint"],
        client_id,
        "code",
        redirect_uri=redirect_uri,
        scope="openid",
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    try:
        open_browser(url)
        if not done.wait(timeout_s):
            raise ProSanteConnectError(
                "Pro Santé Connect n'a pas répondu à temps : recommencez l'authentification."
            )
        try:
            answer = parse_authorization_code_response(
                f"http://127.0.0.1{received.get('path', '')}", state=state
            )
        except (AuthlibBaseError, ValueError) as error:
            raise ProSanteConnectError(
                "La réponse de Pro Santé Connect ne correspond pas à cette demande : "
                "recommencez l'authentification."
            ) from error
        body = prepare_token_request(
            "authorization_code",
            code=answer["code"],
            redirect_uri=redirect_uri,
            client_id=client_id,
            code_verifier=verifier,
        )
        with httpx.Client(transport=transport, timeout=10.0) as http:
            response = http.post(
                configuration["token_endpoint"],
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        if response.status_code != 200:
            raise ProSanteConnectError(
                "Pro Santé Connect a refusé l'authentification : recommencez-la."
            )
        token = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ProSanteConnectError(
            "Pro Santé Connect est injoignable : vérifiez la connexion, puis réessayez."
        ) from error
    finally:
        server.server_close()
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProSanteConnectError("Pro Santé Connect n'a pas renvoyé de jeton d'identité.")
    try:
        claims = check_id_token(
            id_token,
            issuer=configuration.get("issuer", issuer),
            audience=client_id,
            keys=keys,
            now=now(),
            nonce=nonce,
        )
    except IdentityTokenError as error:
        raise ProSanteConnectError(str(error)) from error
    rpps = rpps_of(claims)
    if rpps is None:
        raise ProSanteConnectError(
            "Le jeton de Pro Santé Connect ne porte pas de numéro RPPS : l'identité ne peut pas "
            "être prouvée avec ce compte."
        )
    return ProvenIdentity(id_token, rpps)
