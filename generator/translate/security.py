"""Security schemes and requirements -> IR, with the `Client(...)` keywords that configure each scheme.

Keywords are named after what they hold (`api_key`, `token`, `client_id`...); with several schemes each is
prefixed by its scheme's name (`petstore_auth_client_id`). Collisions, with each other or with the client's own
keywords, are resolved here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator import ir
from generator.naming import Claim, assign_unique, snake_case, spelled_claim
from generator.translate.context import Node, Report, text
from generator.translate.operations import is_http_token

# Keywords `Client(...)` has whatever the spec says; a credential keyword must not take one of them.
CLIENT_KEYWORDS = (
    "base_url",
    "headers",
    "http_client",
    "idempotency_header",
    "max_retries",
    "request_hooks",
    "response_hooks",
    "self",
    "timeout",
    "verify",
)
_TOKEN_ROLES = ("token", "token_provider")
# OAuth2 flows in the order their URLs are preferred for refreshing a token.
_REFRESHING_FLOWS = ("authorizationCode", "password", "clientCredentials", "implicit")

Scheme = ir.SecurityScheme


def security_schemes(
    holder: Node | None, report: Report, resolve: Callable[[Node], Node]
) -> dict[str, Scheme]:
    """The supported schemes under `components/securitySchemes`, by name; the others are warned about."""
    found: dict[str, tuple[Node, dict[str, Any]]] = {}
    for name in sorted(holder.mapping() if holder else {}):
        node = resolve(holder.child(name))  # type: ignore[union-attr]
        spec = node.mapping()
        problem = _unsupported(spec)
        if problem:
            report.warn(node, f"{problem}; requests will not carry it")
        else:
            found[str(name)] = (node, spec)
    keywords = _keywords({name: _roles(spec) for name, (_, spec) in found.items()})
    return {
        name: _scheme(name, spec, keywords[name], node, report)
        for name, (node, spec) in found.items()
    }


def security_requirements(
    node: Node | None, schemes: dict[str, Scheme], report: Report
) -> tuple[ir.SecurityRequirement, ...]:
    """A `security` list: alternatives naming a scheme the client cannot send are left out, with a warning."""
    if node is None or not isinstance(node.value, list):
        return ()
    requirements: list[ir.SecurityRequirement] = []
    for index, requirement in enumerate(node.value):
        if not isinstance(requirement, dict):
            continue
        unknown = sorted(str(name) for name in requirement if name not in schemes)
        if unknown:
            report.warn(
                node.child(index),
                f"this alternative needs {', '.join(unknown)}, which the client cannot send; left out",
            )
            continue
        requirements.append(
            ir.SecurityRequirement(
                tuple(
                    (str(name), tuple(str(s) for s in scopes if isinstance(s, str)))
                    for name, scopes in requirement.items()
                    if isinstance(scopes, list)
                )
            )
        )
    if node.value and not requirements:
        report.warn(node, "no alternative can be met by the client: requests carry no credentials")
    return tuple(requirements)


def _unsupported(spec: dict[str, Any]) -> str:
    """Why the client cannot send a scheme, or "" when it can."""
    kind = spec.get("type")
    if kind == "apiKey":
        if spec.get("in") not in ("header", "query", "cookie") or not isinstance(
            spec.get("name"), str
        ):
            return "an apiKey scheme needs `in` (header, query or cookie) and `name`"
        if spec["in"] != "query" and not is_http_token(spec["name"]):
            return f"{spec['name']!r} is not a valid HTTP token"
        return ""
    if kind == "http":
        scheme = spec.get("scheme")
        return "" if isinstance(scheme, str) and is_http_token(scheme) else "no valid HTTP scheme"
    if kind in ("oauth2", "openIdConnect"):
        return ""
    if kind == "mutualTLS":
        return (
            "mutualTLS is configured on your own http_client (its certificate), not by the client"
        )
    return "unsupported security scheme"


def _roles(spec: dict[str, Any]) -> tuple[str, ...]:
    kind = spec.get("type")
    if kind == "apiKey":
        return ("api_key",)
    if kind == "http":
        return {"basic": ("username", "password"), "bearer": _TOKEN_ROLES}.get(
            str(spec["scheme"]).lower(), ("authorization",)
        )
    token_url, refresh_url = _oauth2_urls(spec)
    roles = _TOKEN_ROLES + (("client_id", "client_secret") if token_url or refresh_url else ())
    return roles + (("refresh_token",) if refresh_url else ())


def _keywords(roles: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Keywords by scheme; with several schemes each is prefixed by its scheme's stem. Stems colliding after
    casing (`ApiKey`, `api_key`) are made distinct first, the one the spec spells so keeping it; then whole
    keywords (`x` + `refresh_token` meets `x_refresh` + `token`), and the client's own keywords are avoided."""
    stems = assign_unique(
        spelled_claim(name, snake_case(name, fallback="scheme"), name, name) for name in roles
    )
    several = len(roles) > 1
    unique = assign_unique(
        (
            Claim((name, role), f"{stems[name]}_{role}" if several else role, f"{name}\0{role}")
            for name, scheme_roles in roles.items()
            for role in scheme_roles
        ),
        taken=CLIENT_KEYWORDS,
    )
    return {
        name: tuple((role, unique[(name, role)]) for role in scheme_roles)
        for name, scheme_roles in roles.items()
    }


def _scheme(
    name: str,
    spec: dict[str, Any],
    keywords: tuple[tuple[str, str], ...],
    node: Node,
    report: Report,
) -> Scheme:
    description = text(spec)
    kind = spec["type"]
    if kind == "apiKey":
        return ir.ApiKeyScheme(name, spec["in"], spec["name"], description, keywords)
    if kind == "http":
        http_scheme = str(spec["scheme"]).lower()
        if http_scheme == "basic":
            return ir.BasicScheme(name, description, keywords)
        if http_scheme == "bearer":
            return ir.TokenScheme(name, "bearer", "", "", description, keywords)
        return ir.AuthorizationScheme(name, str(spec["scheme"]), description, keywords)
    token_url, refresh_url = _oauth2_urls(spec)
    if kind == "oauth2" and not token_url and not refresh_url:
        report.warn(
            node,
            "no flow the client can run (clientCredentials, or one that issues refresh tokens): "
            "pass a token or a token_provider",
        )
    return ir.TokenScheme(name, kind, token_url, refresh_url, description, keywords)


def _oauth2_urls(spec: dict[str, Any]) -> tuple[str, str]:
    """(the clientCredentials tokenUrl, where refresh tokens are exchanged), "" when absent."""
    flows = spec.get("flows") if spec.get("type") == "oauth2" else None
    flows = flows if isinstance(flows, dict) else {}

    def url(flow: str, key: str) -> str:
        value = flows.get(flow)
        return text(value, key) if isinstance(value, dict) else ""

    refresh = next(
        (url(flow, "refreshUrl") for flow in _REFRESHING_FLOWS if url(flow, "refreshUrl")), ""
    )
    refresh = refresh or url("authorizationCode", "tokenUrl") or url("password", "tokenUrl")
    return url("clientCredentials", "tokenUrl"), refresh
