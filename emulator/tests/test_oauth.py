"""The OAuth 2.0 dance through intuitlib, and the API's token gate through python-quickbooks."""
import urllib.parse

import pytest
import requests
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException, QuickbooksException
from quickbooks.objects import CompanyInfo, Customer

from emulator import DEMO_PASSWORD, DEMO_USER
from emulator.testing import auth_client, quickbooks

from .conftest import UK, US

REDIRECT = "http://127.0.0.1:9/callback"
INTUIT_DISCOVERY_KEYS = {"issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                         "revocation_endpoint", "jwks_uri", "response_types_supported",
                         "subject_types_supported", "id_token_signing_alg_values_supported",
                         "scopes_supported", "token_endpoint_auth_methods_supported", "claims_supported"}


def consent(client, realm_id=US, password=DEMO_PASSWORD, action="approve", scopes=None):
    """What a person does on the authorize page: sign in, pick a company, approve."""
    url = client.get_authorization_url(scopes or [Scopes.ACCOUNTING], state_token="st-123")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Connect to QuickBooks" in page.text
    form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    form.update(email=DEMO_USER, password=password, realm_id=realm_id, action=action)
    answer = requests.post(client.auth_endpoint, data=form, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        return answer, None
    return answer, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


@pytest.fixture
def client(server, admin):
    return auth_client(server.url, redirect_uri=REDIRECT)


def test_discovery_document_has_intuits_keys(server, admin):
    document = requests.get(server.discovery_url, timeout=10).json()
    assert set(document) == INTUIT_DISCOVERY_KEYS
    assert document["token_endpoint"].startswith(server.url)


def test_full_dance_code_tokens_and_api_call(server, client):
    answer, params = consent(client)
    assert params["state"] == "st-123" and params["realmId"] == US and params["code"]
    client.get_bearer_token(params["code"], realm_id=params["realmId"])
    assert client.access_token and client.refresh_token
    assert client.expires_in == 3600 and client.x_refresh_token_expires_in > 86400 * 100
    qb = quickbooks(server.url, US, client.access_token, client=client)
    info = CompanyInfo.get(US, qb=qb)
    assert info.Country == "US" and info.CompanyName


def test_openid_scope_returns_an_id_token_intuitlib_validates(server, client):
    _, params = consent(client, scopes=[Scopes.ACCOUNTING, Scopes.OPENID, Scopes.EMAIL])
    client.get_bearer_token(params["code"], realm_id=params["realmId"])
    # intuitlib keeps id_token only when its RS256 signature, issuer and audience check out.
    assert client.id_token
    info = client.get_user_info().json()
    assert info["email"] == DEMO_USER


def test_code_is_single_use(client):
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    with pytest.raises(AuthClientError) as caught:
        client.get_bearer_token(params["code"])
    assert caught.value.status_code == 400 and b"invalid_grant" in caught.value.content


def test_expired_code_is_refused(client, admin):
    _, params = consent(client)
    admin.clock(advance=601)
    with pytest.raises(AuthClientError) as caught:
        client.get_bearer_token(params["code"])
    assert b"invalid_grant" in caught.value.content


def test_wrong_secret_is_invalid_client(server, admin):
    _, params = consent(auth_client(server.url, redirect_uri=REDIRECT))
    intruder = auth_client(server.url, client_secret="not-the-secret", redirect_uri=REDIRECT)
    with pytest.raises(AuthClientError) as caught:
        intruder.get_bearer_token(params["code"])
    assert caught.value.status_code == 401 and b"invalid_client" in caught.value.content


def test_refused_consent_and_bad_password(client):
    _, params = consent(client, action="cancel")
    assert params["error"] == "access_denied" and params["state"] == "st-123"
    page, params = consent(client, password="wrong")
    assert params is None and "not right" in page.text


def test_unknown_app_gets_an_error_page(server, admin):
    page = requests.get(server.url + "connect/oauth2?client_id=nobody&response_type=code"
                        "&scope=com.intuit.quickbooks.accounting&redirect_uri=http://x/cb&state=s", timeout=10)
    assert page.status_code == 400 and "not registered" in page.text


def test_refresh_inside_a_day_returns_the_same_refresh_token(server, client, admin):
    """Intuit changes the refresh token's value about once a day (the default policy)."""
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    first_access, first_refresh = client.access_token, client.refresh_token
    client.refresh()
    assert client.refresh_token == first_refresh and client.access_token != first_access
    admin.clock(advance=23 * 3600)
    client.refresh()
    assert client.refresh_token == first_refresh
    admin.clock(advance=3600 + 1)   # 24 h after it was issued: a new value, the old one superseded
    client.refresh()
    rotated = client.refresh_token
    assert rotated != first_refresh
    client.refresh(refresh_token=first_refresh)   # inside the grace period: the latest token
    assert client.refresh_token == rotated
    admin.clock(advance=601)
    with pytest.raises(AuthClientError):
        client.refresh(refresh_token=first_refresh)


def test_refresh_inside_a_day_renews_the_rolling_lifetime(client, admin):
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    admin.clock(advance=3600)
    client.refresh()
    assert client.x_refresh_token_expires_in >= 8726400 - 1
    admin.clock(advance=8726400 - 60)   # 101 days after the first issue, but only after the last use
    client.refresh()


def test_refresh_rotates_every_time_when_configured(server, client, admin):
    admin.configure(policy={"refresh_token_rotation": "always"})
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    first_access, first_refresh = client.access_token, client.refresh_token
    client.refresh()
    assert client.refresh_token != first_refresh and client.access_token != first_access
    rotated = client.refresh_token
    # The superseded token still answers inside the grace period, with the latest refresh token.
    client.refresh(refresh_token=first_refresh)
    assert client.refresh_token == rotated
    admin.clock(advance=601)
    with pytest.raises(AuthClientError) as caught:
        client.refresh(refresh_token=first_refresh)
    assert b"invalid_grant" in caught.value.content
    client.refresh(refresh_token=rotated)
    assert client.refresh_token != rotated


def test_refresh_token_expires_after_its_rolling_lifetime(client, admin):
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    admin.clock(advance=8726400 + 1)
    with pytest.raises(AuthClientError) as caught:
        client.refresh()
    assert b"invalid_grant" in caught.value.content


def test_hard_expiry_is_reported_when_asked(server, client):
    _, params = consent(client)
    answer = requests.post(client.token_endpoint, auth=(client.client_id, client.client_secret), data={
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT},
        headers={"x-include-refresh-token-hard-expires-in": "true"}, timeout=10).json()
    assert 5 * 365 * 86400 - 10 < answer["x_refresh_token_hard_expires_in"] <= 5 * 365 * 86400


def test_expired_access_token_gets_401_and_3200(server, client, admin):
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    qb = quickbooks(server.url, US, client.access_token, client=client)
    admin.clock(advance=3601)
    with pytest.raises(AuthorizationException) as caught:
        Customer.all(qb=qb)
    assert caught.value.error_code == 401 and '"code":"3200"' in caught.value.detail
    client.refresh()
    assert Customer.all(qb=quickbooks(server.url, US, client.access_token, client=client))


def test_short_access_token_lifetime_is_configurable(server, client, admin):
    admin.configure(policy={"access_token_ttl": 1})
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    assert client.expires_in == 1


def test_revoke_ends_api_access_and_refresh(server, client):
    _, params = consent(client)
    client.get_bearer_token(params["code"])
    qb = quickbooks(server.url, US, client.access_token, client=client)
    refresh = client.refresh_token
    assert client.revoke() is True
    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)
    with pytest.raises(AuthClientError) as caught:
        client.refresh(refresh_token=refresh)
    assert b"invalid_grant" in caught.value.content


def test_token_for_one_realm_is_403_on_another(server, client):
    _, params = consent(client, realm_id=US)
    client.get_bearer_token(params["code"])
    qb = quickbooks(server.url, UK, client.access_token, client=client)
    with pytest.raises(QuickbooksException) as caught:
        Customer.all(qb=qb)
    assert "403" in caught.value.message and "3100" in caught.value.message


def test_missing_bearer_is_401(server, admin):
    answer = requests.post(server.url + "v3/company/%s/query" % US, data="select * from Customer",
                           headers={"Content-Type": "application/text"}, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["fault"]["error"][0]["code"] == "3200"
