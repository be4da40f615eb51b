"""Security schemes and requirements in the IR, and the keywords and environment variables of the client."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.harness import build_ir

from generator import ir
from generator.pipeline import Options, generate

SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
security: [{oauth: [read, write]}, {}]
paths:
  /x:
    get:
      operationId: get_x
      security: [{ApiKey: [], api_key: []}, {tls: []}, {oidc: [openid]}]
      responses: {'200': {description: ok}}
    post:
      operationId: post_x
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    ApiKey: {type: apiKey, in: header, name: X-Api-Key}
    api_key: {type: apiKey, in: query, name: api_key}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: /oauth/token, scopes: {}}
        authorizationCode:
          authorizationUrl: /authorize
          tokenUrl: /oauth/token
          refreshUrl: /oauth/refresh
          scopes: {}
    oauth_refresh: {type: http, scheme: bearer}
    implicit_only:
      type: oauth2
      flows: {implicit: {authorizationUrl: /authorize, scopes: {}}}
    oidc: {type: openIdConnect, openIdConnectUrl: https://id.example/.well-known/openid-configuration}
    hoba: {type: http, scheme: HOBA}
    tls: {type: mutualTLS}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[ir.Api, list[str]]:
    spec = tmp_path_factory.mktemp("security") / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    api, diagnostics = build_ir(spec)
    return api, [diagnostic.format() for diagnostic in diagnostics]


def schemes(api: ir.Api) -> dict[str, ir.SecurityScheme]:
    return {scheme.name: scheme for scheme in api.security_schemes}


def test_every_kind_of_scheme(built: tuple[ir.Api, list[str]]) -> None:
    found = schemes(built[0])
    assert sorted(found) == [
        "ApiKey",
        "api_key",
        "hoba",
        "implicit_only",
        "oauth",
        "oauth_refresh",
        "oidc",
    ]
    assert found["hoba"] == ir.AuthorizationScheme(
        "hoba", "HOBA", "", (("authorization", "hoba_authorization"),)
    )
    oauth = found["oauth"]
    assert isinstance(oauth, ir.TokenScheme)
    assert (oauth.kind, oauth.token_url, oauth.refresh_url) == (
        "oauth2",
        "/oauth/token",
        "/oauth/refresh",
    )
    oidc = found["oidc"]
    assert isinstance(oidc, ir.TokenScheme) and (oidc.token_url, oidc.refresh_url) == ("", "")


def test_keywords_are_unique_after_casing_and_prefixing(built: tuple[ir.Api, list[str]]) -> None:
    keywords = {scheme.name: dict(scheme.keywords) for scheme in built[0].security_schemes}
    # `ApiKey` and `api_key` both snake to `api_key`: the one the spec spells so keeps the plain stem.
    assert keywords["api_key"] == {"api_key": "api_key_api_key"}
    assert keywords["ApiKey"]["api_key"].startswith("api_key_")
    assert keywords["ApiKey"]["api_key"] != "api_key_api_key"
    assert keywords["oauth"] == {
        "token": "oauth_token",
        "token_provider": "oauth_token_provider",
        "client_id": "oauth_client_id",
        "client_secret": "oauth_client_secret",
        "refresh_token": "oauth_refresh_token",
    }
    # `oauth` + `refresh_token` meets `oauth_refresh` + `token`: one of them gets a suffix.
    assert keywords["oauth_refresh"]["token"].startswith("oauth_refresh_token_")
    assert keywords["oauth_refresh"]["token_provider"] == "oauth_refresh_token_provider"
    assert keywords["oidc"] == {"token": "oidc_token", "token_provider": "oidc_token_provider"}


def test_requirements_keep_alternatives_combinations_and_scopes(
    built: tuple[ir.Api, list[str]],
) -> None:
    operations = {operation.function_name: operation for operation in built[0].operations}
    assert [req.schemes for req in operations["get_x"].security] == [
        (("ApiKey", ()), ("api_key", ())),
        (("oidc", ("openid",)),),
    ]
    assert [req.schemes for req in operations["post_x"].security] == [
        (("oauth", ("read", "write")),),
        (),
    ]


def test_what_cannot_be_sent_is_warned_about_with_its_location(
    built: tuple[ir.Api, list[str]],
) -> None:
    assert sorted(built[1]) == [
        "spec.yaml:27: #/components/securitySchemes/implicit_only: warning: no flow the client can run "
        "(clientCredentials, or one that issues refresh tokens): pass a token or a token_provider",
        "spec.yaml:32: #/components/securitySchemes/tls: warning: mutualTLS is configured on your own "
        "http_client (its certificate), not by the client; requests will not carry it",
        "spec.yaml:8: #/paths/~1x/get/security/1: warning: this alternative needs tls, which the client "
        "cannot send; left out",
    ]


def test_environment_variables_cannot_be_another_tools(tmp_path: Path) -> None:
    """A spec named github.json once made the client send `$GITHUB_TOKEN` to the server the spec names."""
    spec = tmp_path / "github.json"
    spec.write_text(
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "security": [{"b": []}],'
        ' "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}}',
        encoding="utf-8",
    )
    generation = generate(
        spec, Options(package="github_client")
    )  # the CLI's default for github.json
    client = generation.files["_client.py"]
    assert '"token": "OAPIGEN_GITHUB_CLIENT_TOKEN",' in client
    assert '"GITHUB_TOKEN"' not in client
    assert "| `token` | `OAPIGEN_GITHUB_CLIENT_TOKEN` | b |" in generation.files["README.md"]
