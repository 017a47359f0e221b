"""Pro Santé Connect: the app's sign-in (code + PKCE) and a relay that requires it.

Against a real OpenID Connect provider on 127.0.0.1 (Authlib's server, tests/support), never a
mock of our own HTTP. The "browser" is httpx following the provider's redirect to the app's
loopback listener, as a browser would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from escap_desktop.cli.main import main
from escap_desktop.core.clock import FrozenClock
from escap_desktop.services.practice import build_practice
from escap_desktop.services.sync import SyncService
from escap_desktop.store import open_store
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.pro_sante_connect import ProSanteConnectError, sign_in
from escap_desktop.sync.relay_client import RelayClient, RelayRefusedError
from escap_desktop.sync.wire import key_id_for
from escap_relay.app import create_app
from escap_relay.pro_sante_connect import ProSanteConnectVerifier
from tests.relay.client import InProcessTransport
from tests.relay.server import free_port
from tests.support.oidc_provider import LocalProvider, local_provider
from tests.sync.conftest import RELAY_URL, UNLIMITED
from tests.sync.faults import RelayProcess
from tests.sync.team import PEOPLE, no_sleep, professional

NURSE_RPPS = PEOPLE["nurse"][3]


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with local_provider() as running:
        running.rpps = NURSE_RPPS
        yield running


def _browser(url: str) -> None:
    """The professional's browser: the provider signs them in and sends them back to the app."""
    httpx.get(url, follow_redirects=True, timeout=10)


def _device_id(keys: DeviceKeys) -> str:
    return key_id_for(keys.public.signing_key)


def test_the_app_signs_in_with_code_and_pkce_and_gets_a_token_for_this_device(
    provider: LocalProvider, clock: FrozenClock
) -> None:
    keys = DeviceKeys.generate()
    proven = sign_in(
        issuer=provider.issuer,
        client_id=provider.client_id,
        device_id=_device_id(keys),
        open_browser=_browser,
        now=lambda: int(clock.now().timestamp()),
    )
    assert proven.rpps == NURSE_RPPS
    claims = jwt.decode(proven.id_token, KeySet([provider.key])).claims
    assert claims["nonce"].startswith(_device_id(keys) + ".")  # good for this device only
    assert claims["aud"] == [provider.client_id]
    assert provider.codes == {}  # the code was used once, then deleted


def test_an_answer_that_is_not_ours_is_refused(provider: LocalProvider, clock: FrozenClock) -> None:
    def forged(url: str) -> None:
        answer = httpx.get(url, follow_redirects=False, timeout=10)
        callback = answer.headers["location"].split("?")[0]
        httpx.get(f"{callback}?code=volé&state=autre", timeout=10)

    with pytest.raises(ProSanteConnectError, match="ne correspond pas à cette demande"):
        sign_in(
            issuer=provider.issuer,
            client_id=provider.client_id,
            device_id=_device_id(DeviceKeys.generate()),
            open_browser=forged,
            now=lambda: int(clock.now().timestamp()),
        )
    with pytest.raises(ProSanteConnectError, match="injoignable"):
        sign_in(
            issuer="http://127.0.0.1:9",
            client_id="escap-desktop",
            device_id="0" * 32,
            open_browser=_browser,
            now=lambda: 0,
        )


def _relay_client(app: object, keys: DeviceKeys) -> RelayClient:
    return RelayClient(RELAY_URL, keys, transport=InProcessTransport(app), sleep=no_sleep)


def test_a_relay_requiring_psc_binds_an_rpps_only_to_a_proven_device(
    provider: LocalProvider, tmp_path: Path, clock: FrozenClock
) -> None:
    database = f"sqlite:///{tmp_path / 'relay.db'}"
    # Before the operator required PSC, an impostor gave the nurse's number.
    open_relay = create_app(database, settings=UNLIMITED, clock=clock)
    impostor = DeviceKeys.generate()
    _relay_client(open_relay, impostor).register(NURSE_RPPS)
    open_relay.state.relay.engine.dispose()

    verifier = ProSanteConnectVerifier(provider.issuer, provider.client_id, clock=clock)
    app = create_app(database, settings=UNLIMITED, clock=clock, identity_verifier=verifier)
    try:
        nurse = DeviceKeys.generate()
        client = _relay_client(app, nurse)
        with pytest.raises(RelayRefusedError) as refused:
            client.register(NURSE_RPPS)
        assert refused.value.status == 403
        assert refused.value.slug == "rpps-non-prouve"

        def token_for(keys: DeviceKeys) -> str:
            return sign_in(
                issuer=provider.issuer,
                client_id=provider.client_id,
                device_id=_device_id(keys),
                open_browser=_browser,
                now=lambda: int(clock.now().timestamp()),
            ).id_token

        # A token made for another device does not register this one.
        with pytest.raises(RelayRefusedError):
            client.register(NURSE_RPPS, identity_token=token_for(DeviceKeys.generate()))
        # Nor a token of another professional for this number.
        provider.rpps = PEOPLE["physio"][3]
        with pytest.raises(RelayRefusedError):
            client.register(NURSE_RPPS, identity_token=token_for(nurse))
        provider.rpps = NURSE_RPPS

        token = token_for(nurse)
        info = client.register(NURSE_RPPS, identity_token=token)
        assert info.rpps == NURSE_RPPS
        # The proven device takes the number away from the one that only claimed it.
        assert [d.device_id for d in client.devices_by_rpps(NURSE_RPPS)] == [_device_id(nurse)]

        # An expired token proves nothing.
        expires = jwt.decode(token, KeySet([provider.key])).claims["exp"]
        later = DeviceKeys.generate()
        late_token = token_for(later)
        clock.set(clock.now().fromtimestamp(expires + 3600, clock.now().tzinfo))
        with pytest.raises(RelayRefusedError):
            _relay_client(app, later).register(NURSE_RPPS, identity_token=late_token)
    finally:
        app.state.relay.engine.dispose()


def test_the_sync_service_proves_the_profile_s_rpps_and_registers_with_it(
    provider: LocalProvider, tmp_path: Path, clock: FrozenClock
) -> None:
    verifier = ProSanteConnectVerifier(provider.issuer, provider.client_id, clock=clock)
    app = create_app(
        f"sqlite:///{tmp_path / 'relay.db'}",
        settings=UNLIMITED,
        clock=clock,
        identity_verifier=verifier,
    )
    folder = tmp_path / "cabinet"
    store = open_store(folder, clock=clock)
    practice = build_practice(store, folder)
    try:
        me = practice.profile.save(professional(*PEOPLE["nurse"]))
        sync = SyncService(
            store,
            lambda: me.id,
            escaps=practice.escaps,
            transport=InProcessTransport(app),
            sleep=no_sleep,
        )
        sync.set_up(RELAY_URL)
        with sync.session() as engine, pytest.raises(RelayRefusedError, match="preuve d'identité"):
            engine.register()
        provider.rpps = PEOPLE["gp"][3]
        with pytest.raises(ProSanteConnectError, match="pas celui de votre profil"):
            sync.prove_identity(provider.issuer, provider.client_id, _browser)
        provider.rpps = NURSE_RPPS
        assert sync.prove_identity(provider.issuer, provider.client_id, _browser) == NURSE_RPPS
        with sync.session() as engine:
            engine.register()
            assert [d.rpps for d in engine.ctx.client.devices_by_rpps(NURSE_RPPS)] == [NURSE_RPPS]
    finally:
        practice.close()
        app.state.relay.engine.dispose()


def test_the_command_line_proves_the_rpps_to_a_relay_process_that_requires_it(
    provider: LocalProvider,
    tmp_path: Path,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    relay = RelayProcess(
        free_port(),
        f"sqlite:///{tmp_path / 'relay.db'}",
        "--pro-sante-connect",
        provider.issuer,
        "--psc-client-id",
        provider.client_id,
    )
    relay.start()
    folder = tmp_path / "cabinet"
    practice = build_practice(open_store(folder, clock=clock), folder)
    practice.profile.save(professional(*PEOPLE["nurse"]))
    practice.close()
    try:

        def escap(*args: str) -> int:
            return main(["--data-dir", str(folder), "sync", *args], clock=clock)

        assert escap("setup", "--relay", relay.url) == 0
        capsys.readouterr()
        assert escap() == 1  # the relay refuses the number without a proof
        assert "preuve d'identité (Pro Santé Connect)" in capsys.readouterr().err
        monkeypatch.setattr("webbrowser.open", _browser)
        assert escap("prouver", "--emetteur", provider.issuer) == 0
        out = capsys.readouterr().out
        assert f"Numéro RPPS {NURSE_RPPS} prouvé par Pro Santé Connect." in out
        assert "Synchronisation terminée" in out
    finally:
        relay.stop()
