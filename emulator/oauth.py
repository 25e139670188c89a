"""Intuit's OAuth 2.0 and OpenID endpoints, as intuitlib calls them.

intuitlib takes any ``environment`` other than production/sandbox as the URL of
the discovery document, so the emulator serves its own document whose
endpoints point back at itself.
"""
import base64
import html
import json
import secrets
import urllib.parse
from werkzeug.wrappers import Response

from .policy import Policy, TokenPolicy  # noqa: F401  (TokenPolicy: the older name)

SCOPES = {
    "com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment", "openid", "profile",
    "email", "phone", "address", "com.intuit.quickbooks.payroll", "intuit_name",
}
HARD_EXPIRY = 5 * 365 * 86400   # Intuit's five-year maximum for a refresh token chain


def _json(payload, status=200, headers=None):
    response = Response(json.dumps(payload), status=status, mimetype="application/json")
    response.headers["intuit_tid"] = secrets.token_hex(16)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _oauth_error(error, status=400, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    return _json(body, status)


class OAuthServer:
    def __init__(self, store, clock, policy):
        self.store = store
        self.clock = clock
        self.policy = policy
        self._key = None
        self._issuer = None
        self.kid = "emulator-" + secrets.token_hex(4)

    @property
    def state(self):
        return self.store.oauth

    # ------------------------------------------------------------ discovery
    def discovery(self, request):
        base = request.host_url.rstrip("/")
        sandbox = "sandbox" in request.path
        return _json({
            "issuer": base + "/op/v1",
            "authorization_endpoint": base + "/connect/oauth2",
            "token_endpoint": base + "/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": base + ("/sandbox" if sandbox else "") + "/v1/openid_connect/userinfo",
            "revocation_endpoint": base + "/oauth2/v1/tokens/revoke",
            "jwks_uri": base + "/op/v1/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "address", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        })

    def jwks(self, request):
        from jwt.algorithms import RSAAlgorithm
        jwk = json.loads(RSAAlgorithm.to_jwk(self._private_key().public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return _json({"keys": [jwk]})

    def _private_key(self):
        if self._key is None:
            from cryptography.hazmat.primitives.asymmetric import rsa
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._key

    # ------------------------------------------------------------ authorize
    def authorize(self, request):
        args = request.values
        client = self.state.clients.get(args.get("client_id", ""))
        if client is None:
            return self._page("Unknown app", "<p>The app <code>%s</code> is not registered with "
                              "this emulator.</p>" % html.escape(args.get("client_id", "")), 400)
        redirect_uri = args.get("redirect_uri", "")
        if not redirect_uri or (client.get("redirect_uris") and redirect_uri not in client["redirect_uris"]):
            return self._page("Redirect URI mismatch", "<p>The redirect URI <code>%s</code> is not one "
                              "the app registered.</p>" % html.escape(redirect_uri), 400)
        state = args.get("state", "")
        scopes = [s for s in args.get("scope", "").split() if s]
        if args.get("response_type") != "code":
            return self._redirect(redirect_uri, error="unsupported_response_type", state=state)
        if not scopes or any(s not in SCOPES for s in scopes):
            return self._redirect(redirect_uri, error="invalid_scope", state=state)
        if request.method == "GET":
            return self._consent_page(args, scopes)
        if args.get("action") != "approve":
            return self._redirect(redirect_uri, error="access_denied", state=state)
        user = self.state.users.get(args.get("email", "").strip().lower())
        if user is None or not secrets.compare_digest(user["password"], args.get("password", "")):
            return self._consent_page(args, scopes, error="The email or password is not right.")
        realm_id = args.get("realm_id", "")
        if realm_id not in user["realms"] or realm_id not in self.store.realms:
            return self._consent_page(args, scopes, error="Choose one of your companies.")
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = {
            "client_id": args["client_id"], "redirect_uri": redirect_uri, "realm_id": realm_id,
            "user": user["email"], "scopes": scopes, "expires": self.clock.now() + self.policy.code_ttl,
        }
        return self._redirect(redirect_uri, code=code, state=state, realmId=realm_id)

    def _redirect(self, uri, **params):
        separator = "&" if "?" in uri else "?"
        response = Response(status=302)
        response.headers["Location"] = uri + separator + urllib.parse.urlencode(params)
        return response

    def _consent_page(self, args, scopes, error=None):
        email = args.get("email", "")
        user = self.state.users.get(email.strip().lower())
        realms = user["realms"] if user else sorted(self.store.realms)
        options = "".join(
            '<label class="company"><input type="radio" name="realm_id" value="%s"%s> %s '
            '<small>%s · realm %s</small></label>' % (
                html.escape(rid), " checked" if i == 0 else "",
                html.escape(self._company_name(rid)), html.escape(self._company_country(rid)), html.escape(rid))
            for i, rid in enumerate(r for r in realms if r in self.store.realms))
        hidden = "".join('<input type="hidden" name="%s" value="%s">' % (k, html.escape(args.get(k, "")))
                         for k in ("client_id", "redirect_uri", "scope", "state", "response_type"))
        body = """
<form method="post" action="/connect/oauth2">%s
  %s
  <h2>Sign in</h2>
  <label>Email <input name="email" type="email" value="%s" autofocus></label>
  <label>Password <input name="password" type="password"></label>
  <h2>Choose a company</h2>%s
  <h2>%s wants to</h2><ul>%s</ul>
  <div class="buttons"><button name="action" value="cancel">Cancel</button>
  <button class="primary" name="action" value="approve">Connect</button></div>
</form>""" % (hidden, '<p class="error">%s</p>' % html.escape(error) if error else "",
              html.escape(email or next(iter(self.state.users), "")), options or "<p>No companies.</p>",
              html.escape(self.state.clients[args["client_id"]].get("name", "This app")),
              "".join("<li>%s</li>" % html.escape(SCOPE_TEXT.get(s, s)) for s in scopes))
        return self._page("Connect to QuickBooks", body)

    def _company_name(self, realm_id):
        realm = self.store.realms.get(realm_id)
        info = next(iter(realm.data["CompanyInfo"].values()), {}) if realm else {}
        return info.get("CompanyName", realm_id)

    def _company_country(self, realm_id):
        realm = self.store.realms.get(realm_id)
        info = next(iter(realm.data["CompanyInfo"].values()), {}) if realm else {}
        return info.get("Country", "")

    @staticmethod
    def _page(title, body, status=200):
        page = PAGE % {"title": html.escape(title), "body": body}
        return Response(page, status=status, mimetype="text/html")

    # ------------------------------------------------------------ tokens
    def _client(self, request):
        header = request.headers.get("Authorization", "")
        client_id = secret = None
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
        else:
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
        client = self.state.clients.get(client_id or "")
        if client is None or not secrets.compare_digest(client["secret"], secret or ""):
            return None
        return client_id

    def token(self, request):
        self._issuer = request.host_url.rstrip("/") + "/op/v1"
        client_id = self._client(request)
        if client_id is None:
            return _oauth_error("invalid_client", 401)
        grant_type = request.form.get("grant_type")
        hard = request.headers.get("x-include-refresh-token-hard-expires-in", "").lower() == "true"
        if grant_type == "authorization_code":
            code = self.state.codes.pop(request.form.get("code", ""), None)
            if code is None or code["client_id"] != client_id or code["expires"] < self.clock.now():
                return _oauth_error("invalid_grant")
            if code["redirect_uri"] != request.form.get("redirect_uri"):
                return _oauth_error("invalid_grant", description="redirect_uri does not match")
            grant = self.create_grant(client_id, code["realm_id"], code["user"], code["scopes"])
            return _json(self.issue(grant, hard))
        if grant_type == "refresh_token":
            token = request.form.get("refresh_token", "")
            record = self.state.refresh_tokens.get(token)
            now = self.clock.now()
            grant = self.state.grants.get(record["grant_id"]) if record else None
            if (record is None or grant is None or grant["revoked"] or grant["client_id"] != client_id
                    or record["expires"] < now or grant["created"] + HARD_EXPIRY < now
                    or (record["superseded"] and record["superseded"] + self.policy.refresh_grace < now)):
                return _oauth_error("invalid_grant", description="Incorrect or invalid refresh token")
            if record["superseded"]:
                # Inside the grace period: the latest refresh token, a new access token.
                return _json(self.issue(grant, hard, rotate=False))
            issued = record.get("issued", record["expires"] - self.policy.refresh_token_ttl)
            if (self.policy.refresh_token_rotation != "always"
                    and now - issued < self.policy.refresh_rotation_interval):
                # Intuit changes the value about once a day: inside that day the same refresh
                # token comes back, its rolling lifetime renewed.
                record["expires"] = now + self.policy.refresh_token_ttl
                return _json(self.issue(grant, hard, rotate=False))
            record["superseded"] = now
            return _json(self.issue(grant, hard))
        return _oauth_error("unsupported_grant_type")

    def create_grant(self, client_id, realm_id, user, scopes):
        grant_id = secrets.token_hex(8)
        grant = {"id": grant_id, "client_id": client_id, "realm_id": realm_id, "user": user,
                 "scopes": scopes, "created": self.clock.now(), "revoked": False, "latest": None}
        self.state.grants[grant_id] = grant
        return grant

    def issue(self, grant, hard=False, rotate=True):
        now = self.clock.now()
        access = secrets.token_urlsafe(48)
        self.state.access_tokens[access] = {"grant_id": grant["id"], "expires": now + self.policy.access_token_ttl}
        if rotate or not grant.get("latest"):
            refresh = "RT1-" + secrets.token_urlsafe(40)
            self.state.refresh_tokens[refresh] = {"grant_id": grant["id"], "superseded": None,
                                                  "issued": now,
                                                  "expires": now + self.policy.refresh_token_ttl}
            grant["latest"] = refresh
        refresh = grant["latest"]
        expires = self.state.refresh_tokens[refresh]["expires"]
        body = {"token_type": "bearer", "access_token": access,
                "expires_in": int(self.policy.access_token_ttl),
                "refresh_token": refresh, "x_refresh_token_expires_in": int(max(0, expires - now))}
        if hard:
            body["x_refresh_token_hard_expires_in"] = int(grant["created"] + HARD_EXPIRY - now)
        if "openid" in grant["scopes"]:
            body["id_token"] = self._id_token(grant, now)
        return body

    def _id_token(self, grant, now):
        import jwt
        issuer = self._issuer
        claims = {"iss": issuer, "aud": [grant["client_id"]], "sub": grant["user"],
                  "realmid": grant["realm_id"], "iat": int(now), "exp": int(now + 3600),
                  "auth_time": int(now)}
        return jwt.encode(claims, self._private_key(), algorithm="RS256", headers={"kid": self.kid})

    def revoke(self, request):
        if self._client(request) is None:
            return _oauth_error("invalid_client", 401)
        try:
            token = json.loads(request.get_data(as_text=True) or "{}").get("token", "")
        except ValueError:
            token = request.form.get("token", "")
        record = self.state.refresh_tokens.get(token) or self.state.access_tokens.get(token)
        if record:
            self.state.grants[record["grant_id"]]["revoked"] = True
        return Response("", status=200)

    def userinfo(self, request):
        grant = self.grant_for_bearer(request)
        if grant is None:
            return _json({"error": "invalid_token"}, 401)
        user = self.state.users.get(grant["user"], {})
        return _json({"sub": grant["user"], "email": user.get("email"), "emailVerified": True,
                      "givenName": user.get("given_name"), "familyName": user.get("family_name"),
                      "phoneNumber": user.get("phone", "+1 555 0100"), "phoneNumberVerified": False})

    def grant_for_bearer(self, request):
        """The live grant behind the request's Bearer token, or None."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        record = self.state.access_tokens.get(header[7:].strip())
        if record is None or record["expires"] < self.clock.now():
            return None
        grant = self.state.grants.get(record["grant_id"])
        if grant is None or grant["revoked"]:
            return None
        return grant


SCOPE_TEXT = {
    "com.intuit.quickbooks.accounting": "Read and write your QuickBooks accounting data",
    "com.intuit.quickbooks.payment": "Process payments",
    "openid": "Know who you are", "profile": "See your name", "email": "See your email address",
    "phone": "See your phone number", "address": "See your address",
}

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(title)s · QuickBooks Online emulator</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;background:#f4f5f8;margin:0;color:#393a3d}
header{background:#2ca01c;color:#fff;padding:14px 28px;font-size:20px;font-weight:bold}
main{max-width:460px;margin:32px auto;background:#fff;border-radius:8px;padding:24px 32px;
box-shadow:0 2px 8px rgba(0,0,0,.12)}
h1{font-size:22px}h2{font-size:15px;margin:20px 0 8px;color:#6b6c72;text-transform:uppercase}
label{display:block;margin:8px 0}input[type=email],input[type=password]{width:100%%;padding:8px;
box-sizing:border-box;border:1px solid #babec5;border-radius:4px}.company{padding:6px;border:1px solid #e3e5e8;
border-radius:4px}small{color:#8d9096}.buttons{text-align:right;margin-top:20px}
button{padding:8px 18px;border-radius:4px;border:1px solid #8d9096;background:#fff;cursor:pointer;margin-left:8px}
button.primary{background:#2ca01c;color:#fff;border-color:#2ca01c}.error{color:#d52b1e}
footer{text-align:center;color:#8d9096;font-size:12px}
</style></head><body><header>intuit quickbooks &middot; emulator</header>
<main><h1>%(title)s</h1>%(body)s</main>
<footer>A local QuickBooks Online emulator for development and tests. No data leaves this machine.</footer>
</body></html>"""
