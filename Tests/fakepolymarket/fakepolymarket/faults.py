"""Fault rules: validation, matching and the canned bodies they need.

A rule is matched against every API request of its session (method, the path after /s/<id>,
optionally query values).  The first matching rule with times left is applied and its counter
decremented.  See README.md "Faults" for the exact semantics of each field.
"""

from __future__ import annotations

import http
import math

from . import jsonraw
from .sessions import ValidationError

RULE_FIELDS = {
    "method", "path", "query", "times", "status", "headers", "body", "content_type", "delay_ms",
    "hang", "truncate_at", "oversize_bytes", "close_connection", "chunked", "preset",
    "retry_after_date_in", "gzip", "note", "reset_at", "slow_body_ms", "http09",
}

CLOUDFLARE_403 = """<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="robots" content="noindex, nofollow" />
<meta name="viewport" content="width=device-width,initial-scale=1" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
        <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> polymarket.com</h2>
      </div>
      <div class="cf-section cf-wrapper">
        <div class="cf-columns two">
          <div class="cf-column">
            <h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
            <p data-translate="blocked_why_detail">This website is using a security service to protect itself from online attacks. The action you just performed triggered the security solution. There are several actions that could trigger this block including submitting a certain word or phrase, a SQL command or malformed data.</p>
          </div>
          <div class="cf-column">
            <h2 data-translate="blocked_resolve_headline">What can I do to resolve this?</h2>
            <p data-translate="blocked_resolve_detail">You can email the site owner to let them know you were blocked. Please include what you were doing when this page came up and the Cloudflare Ray ID found at the bottom of this page.</p>
          </div>
        </div>
      </div>
      <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
        <p class="text-13">
          <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">8f1a2b3c4d5e6f70</strong></span>
          <span class="cf-footer-separator sm:hidden">&bull;</span>
          <span class="cf-footer-item sm:block sm:mb-1"><span>Performance &amp; security by</span> <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing" id="brand_link" target="_blank">Cloudflare</a></span>
        </p>
      </div>
    </div>
  </div>
</body>
</html>
"""

CLOUDFLARE_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
"""

PRESETS = {
    "cloudflare_403": {
        "status": 403, "body": CLOUDFLARE_403, "content_type": "text/html; charset=UTF-8",
        "headers": {"Server": "cloudflare", "CF-RAY": "8f1a2b3c4d5e6f70-AMS", "Cache-Control": "no-cache"},
    },
    # The v2 Data API's 429: the v2 error envelope and a trace id, and no Retry-After (as measured).
    "v2_rate_limited": {
        "status": 429, "content_type": "application/json",
        "body": '{"error":"rate limit exceeded","code":"rate_limited","retryable":true,"trace_id":"fake-429"}',
        "headers": {"x-trace-id": "fake-429"},
    },
    "cloudflare_502": {
        "status": 502, "body": CLOUDFLARE_502, "content_type": "text/html",
        "headers": {"Server": "cloudflare", "CF-RAY": "8f1a2b3c4d5e6f71-AMS"},
    },
}


def _int_or_none(rule, key, minimum=0):
    v = rule.get(key)
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise ValidationError(f"fault {key} must be an integer >= {minimum} or null")
    return v


class Rule:
    def __init__(self, spec: dict):
        if not isinstance(spec, dict):
            raise ValidationError("each fault rule must be an object")
        unknown = set(spec) - RULE_FIELDS
        if unknown:
            raise ValidationError(f"unknown fault rule field(s) {sorted(unknown)}; known: {sorted(RULE_FIELDS)}")
        self.spec = spec
        preset = spec.get("preset")
        base = {}
        if preset is not None:
            if preset not in PRESETS:
                raise ValidationError(f"unknown fault preset {preset!r}; known: {sorted(PRESETS)}")
            base = PRESETS[preset]

        m = spec.get("method")
        if m is not None and not isinstance(m, str):
            raise ValidationError("fault method must be a string or null")
        self.method = None if m in (None, "*", "") else m.upper()

        p = spec.get("path", "*")
        if not isinstance(p, str) or not (p == "*" or p.startswith("/")):
            raise ValidationError("fault path must be '*' or start with '/' (e.g. '/clob/book' or '/clob/*')")
        self.path = p

        q = spec.get("query")
        if q is not None:
            if not isinstance(q, dict) or not all(isinstance(v, (str, list)) for v in q.values()):
                raise ValidationError("fault query must be an object {name: value or [values]}")
        self.query = q

        self.remaining = _int_or_none(spec, "times")
        self.hits = 0

        status = spec.get("status", base.get("status"))
        if status is not None and (not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 999):
            raise ValidationError("fault status must be an integer 100..999 or null")
        self.status = status

        headers = dict(base.get("headers", {}))
        h = spec.get("headers")
        if h is not None:
            if not isinstance(h, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in h.items()):
                raise ValidationError("fault headers must be an object {name: string}")
            headers.update({k: str(v) for k, v in h.items()})
        self.headers = headers

        body = spec.get("body", base.get("body"))
        if body is not None and not isinstance(body, str):
            raise ValidationError("fault body must be a string (sent as UTF-8) or null")
        self.body = body

        ct = spec.get("content_type", base.get("content_type"))
        if ct is not None and not isinstance(ct, str):
            raise ValidationError("fault content_type must be a string or null")
        self.content_type = ct

        self.delay_ms = _int_or_none(spec, "delay_ms") or 0
        self.truncate_at = _int_or_none(spec, "truncate_at")
        self.reset_at = _int_or_none(spec, "reset_at")
        if self.truncate_at is not None and self.reset_at is not None:
            raise ValidationError("fault truncate_at and reset_at exclude each other (one cut per answer)")
        self.slow_body_ms = _int_or_none(spec, "slow_body_ms", minimum=1)
        self.oversize_bytes = _int_or_none(spec, "oversize_bytes")
        for k in ("hang", "chunked", "http09"):
            if not isinstance(spec.get(k, False), bool):
                raise ValidationError(f"fault {k} must be a boolean")
        self.hang = spec.get("hang", False)
        self.chunked = spec.get("chunked", False)
        self.http09 = spec.get("http09", False)
        cc = spec.get("close_connection", False)
        if cc not in (True, False, "reset"):
            raise ValidationError("fault close_connection must be true, false or \"reset\"")
        self.close_connection = cc
        rad = spec.get("retry_after_date_in")
        if rad is not None and (isinstance(rad, bool) or not isinstance(rad, (int, float, jsonraw.RawNumber))):
            raise ValidationError("fault retry_after_date_in must be a number of seconds")
        self.retry_after_date_in = None if rad is None else float(rad)
        gz = spec.get("gzip")
        if gz is not None and not isinstance(gz, bool):
            raise ValidationError("fault gzip must be a boolean or null")
        self.gzip = gz
        self.note = spec.get("note")

    # A rule "replaces the response" when it says what to answer; otherwise it only modifies
    # (delays, adds headers to, truncates, chunks, ...) the normal response.
    @property
    def replaces_response(self) -> bool:
        return self.status is not None or self.body is not None

    def matches(self, method: str, path: str, query: dict) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        if self.path != "*":
            if self.path.endswith("*"):
                if not path.startswith(self.path[:-1]):
                    return False
            elif path != self.path:
                return False
        if self.query:
            for k, want in self.query.items():
                got = query.get(k)
                if got is None:
                    return False
                wants = want if isinstance(want, list) else [want]
                if not any(w in got for w in wants):
                    return False
        return True

    def to_json(self) -> dict:
        out = dict(self.spec)
        out["times"] = self.remaining
        out["hits"] = self.hits
        return out


def parse_rules(body) -> list[Rule]:
    if not isinstance(body, dict) or not isinstance(body.get("rules"), list):
        raise ValidationError('faults body must be {"rules": [rule, ...]}')
    extra = set(body) - {"rules"}
    if extra:
        raise ValidationError(f"unknown key(s) {sorted(extra)} in faults body")
    return [Rule(r) for r in body["rules"]]


def default_body(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return jsonraw.dumps_bytes({"error": phrase})


def oversize_body(value, has_value: bool, min_bytes: int) -> bytes:
    """A valid JSON array of at least min_bytes bytes.

    When the normal response is a non-empty JSON array, its elements are repeated (so the body
    still parses as the endpoint's type); otherwise filler objects {"pad": "xxx..."} are used.
    """
    if has_value and isinstance(value, list) and value:
        elems = [jsonraw.dumps(v) for v in value]
    else:
        elems = [jsonraw.dumps({"pad": "x" * 1000})]
    per_cycle = sum(len(e.encode("utf-8")) for e in elems) + len(elems)
    cycles = max(1, math.ceil(max(0, min_bytes - 1) / per_cycle) + 1)
    out = "[" + ",".join(elems * cycles) + "]"
    return out.encode("utf-8")
