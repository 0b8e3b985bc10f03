# The gateway's-view probe (duo-doctor): trusts and fetches GitLab as the AI gateway does, Python 3.6+.
# Run as `python3 -c <this file's text> PER_REQUEST_S BUDGET_S`; src/runtime/python-probe.ts parses its one result line.
# The gateway fetches GitLab's discovery document and keys with `requests.get(url, timeout=10)` (ai-gateway
# ai_gateway/cloud_connector/providers.py). Where `requests` imports (the gateway's image has it) this probe uses it, so
# its CA bundle, proxies and redirects are requests' own. Elsewhere it reproduces requests' CA rules with urllib:
# REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, else certifi's bundle (OpenSSL's default store when certifi is missing too,
# which the result says) — never SSL_CERT_FILE.
import json, os, socket, ssl, sys, time, urllib.error, urllib.parse, urllib.request

try:
    import requests
except Exception:
    requests = None
try:
    import certifi
except Exception:
    certifi = None

MARK = "duo-doctor-gateway-view="
MAX_BYTES = 1 << 20
per_request = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 2 * per_request)
out = {"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION}

def error_of(e, kind):
    d = {"kind": kind, "type": type(e).__name__, "message": str(e)}
    if isinstance(e, ssl.SSLCertVerificationError):
        d["verifyCode"] = e.verify_code
        d["verifyMessage"] = e.verify_message
    return d

def classify_one(e):
    if isinstance(e, ssl.SSLError): return "tls"
    if requests is not None and isinstance(e, requests.exceptions.SSLError): return "tls"
    if isinstance(e, socket.gaierror): return "dns"
    if isinstance(e, ConnectionRefusedError): return "refused"
    if isinstance(e, (socket.timeout, TimeoutError)): return "timeout"
    if requests is not None and isinstance(e, requests.exceptions.Timeout): return "timeout"
    if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)): return "reset"
    return None

def chain(e):
    # requests wraps urllib3's errors, which wrap the socket's: walk causes, contexts, `reason` and exception args.
    seen, todo = [], [e]
    while todo:
        x = todo.pop(0)
        if x is None or not isinstance(x, BaseException) or any(x is y for y in seen):
            continue
        seen.append(x)
        todo += [x.__cause__, x.__context__, getattr(x, "reason", None)] + [a for a in getattr(x, "args", ()) if isinstance(a, BaseException)]
    return seen

def classify(e):
    for x in chain(e):
        kind = classify_one(x)
        if kind:
            return kind
    return "network" if isinstance(e, OSError) else "other"

def untrusting():
    # The bundle did not load: an http URL is still fetched, but nothing redirected to https may pass as trusted.
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)))

def request_timeout():
    # The gateway's 10 s per request, within what is left of duo-doctor's budget; none left is a timeout like any other.
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("no time left in duo-doctor's budget for this request")
    return min(per_request, left)

def fetch_requests(url):
    # requests.get as the gateway calls it; a non-2xx answer is recorded as such (the gateway would parse its body and
    # find no jwks_uri or no keys in it).
    step = {"url": url}
    start = time.monotonic()
    try:
        resp = requests.get(url=url, timeout=request_timeout())
        step["status"] = resp.status_code
        step["finalUrl"] = resp.url
        step["contentType"] = resp.headers.get("Content-Type")
        body = resp.content[: MAX_BYTES + 1]
        if resp.status_code >= 400:
            step["error"] = {"kind": "http", "type": "HTTPError", "message": "HTTP Error %d: %s" % (resp.status_code, resp.reason)}
            return step, None
    except Exception as e:
        # A bundle OpenSSL could not load is why every https request fails: say so, keeping requests' own message.
        unloaded = not out["bundle"].get("loaded") and url.lower().startswith("https:")
        step["error"] = error_of(e, "bundle" if unloaded else classify(e))
        return step, None
    finally:
        step["elapsedMs"] = int((time.monotonic() - start) * 1000)
    return parse_body(step, body)

def parse_body(step, body):
    if len(body) > MAX_BYTES:
        step["error"] = {"kind": "json", "type": "TooLarge", "message": "the body is larger than 1 MiB"}
        return step, None
    try:
        return step, json.loads(body.decode("utf-8"))
    except Exception as e:
        step["error"] = {"kind": "json", "type": type(e).__name__, "message": str(e), "bodyStart": body[:80].decode("utf-8", "replace")}
        return step, None

def fetch(url, opener):
    if requests is not None:
        return fetch_requests(url)
    step = {"url": url}
    start = time.monotonic()
    try:
        timeout = request_timeout()
        if opener is None and url.lower().startswith("https:"):
            step["error"] = out["bundle"]["error"]
            return step, None
        req = urllib.request.Request(url, headers={"Accept": "application/json"})
        with (opener or untrusting()).open(req, timeout=timeout) as resp:
            step["status"] = resp.getcode()
            step["finalUrl"] = resp.geturl()
            step["contentType"] = resp.headers.get("Content-Type")
            body = resp.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as e:
        step["status"] = e.code
        step["finalUrl"] = e.geturl()
        step["error"] = error_of(e, "http")
        return step, None
    except urllib.error.URLError as e:
        reason = e.reason
        step["error"] = error_of(reason, classify(reason)) if isinstance(reason, BaseException) else {"kind": "url", "type": "URLError", "message": str(reason)}
        return step, None
    except Exception as e:
        step["error"] = error_of(e, classify(e))
        return step, None
    finally:
        step["elapsedMs"] = int((time.monotonic() - start) * 1000)
    return parse_body(step, body)

def requests_bundle(env):
    # requests.Session.merge_environment_settings: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (empty counts as unset), else
    # its certifi bundle (requests.certs.where()).
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if env[name]:
            return name, env[name]
    if requests is not None:
        return "certifi", requests.certs.where()
    if certifi is not None:
        return "certifi", certifi.where()
    return "default", None

def main():
    env = {k: os.environ.get(k) for k in ("AIGW_GITLAB_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    out["env"] = env
    out["client"] = "requests %s" % requests.__version__ if requests is not None else "urllib (requests is not installed: its CA rules reproduced)"
    source, cafile = requests_bundle(env)
    bundle = out["bundle"] = {"source": source, "file": cafile}
    opener = None
    try:
        # The same OpenSSL load requests' adapter does: a bundle that fails here fails every https request.
        if cafile is None:
            # OpenSSL's default paths honour SSL_CERT_FILE/SSL_CERT_DIR; requests never does, so they are hidden here.
            hidden = {k: os.environ.pop(k) for k in ("SSL_CERT_FILE", "SSL_CERT_DIR") if k in os.environ}
            try:
                context = ssl.create_default_context()
            finally:
                os.environ.update(hidden)
        else:
            context = ssl.create_default_context(cafile=cafile)
        bundle["loaded"] = True
        bundle["certificates"] = context.cert_store_stats().get("x509_ca", 0)
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    except Exception as e:
        bundle["loaded"] = False
        bundle["error"] = error_of(e, "bundle")
    base = env["AIGW_GITLAB_URL"]
    if not base:
        return
    discovery_url = urllib.parse.urljoin(base, "/.well-known/openid-configuration")
    parsed = urllib.parse.urlsplit(discovery_url)
    proxies = urllib.request.getproxies()
    if parsed.scheme in proxies and not urllib.request.proxy_bypass(parsed.hostname or ""):
        out["proxy"] = proxies[parsed.scheme]
    out["discovery"], doc = fetch(discovery_url, opener)
    if doc is None:
        return
    uri = doc.get("jwks_uri") if isinstance(doc, dict) else None
    if not isinstance(uri, str) or not uri.strip():
        out["jwksUriProblem"] = "the discovery document has no jwks_uri" if isinstance(doc, dict) else "the discovery document is not a JSON object"
        return
    out["jwksUri"] = uri
    out["jwks"], keyset = fetch(uri, opener)
    if keyset is None:
        return
    keys = keyset.get("keys") if isinstance(keyset, dict) else None
    if not isinstance(keys, list):
        out["jwks"]["error"] = {"kind": "jwks", "type": "KeySet", "message": "the document has no \"keys\" list"}
        return
    out["jwks"]["keys"] = len(keys)
    out["jwks"]["kids"] = [k.get("kid") for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)]

try:
    main()
except Exception as e:
    out["crash"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write(MARK + json.dumps(out) + "\n")
