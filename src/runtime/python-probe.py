# The gateway's-view probe (duo-doctor): trusts and fetches GitLab as the AI gateway does, stdlib only, Python 3.6+.
# Run as `python3 -c <this file's text> PER_REQUEST_S BUDGET_S`; src/runtime/python-probe.ts parses its one result line.
import json, os, socket, ssl, sys, time, urllib.error, urllib.parse, urllib.request

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

def classify(e):
    if isinstance(e, ssl.SSLError): return "tls"
    if isinstance(e, socket.gaierror): return "dns"
    if isinstance(e, ConnectionRefusedError): return "refused"
    if isinstance(e, (socket.timeout, TimeoutError)): return "timeout"
    if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)): return "reset"
    if isinstance(e, OSError): return "network"
    return "other"

def untrusting():
    # The bundle did not load: an http URL is still fetched, but nothing redirected to https may pass as trusted.
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)))

def fetch(url, opener):
    step = {"url": url}
    start = time.monotonic()
    left = deadline - start
    try:
        if left <= 0:
            raise socket.timeout("no time left in duo-doctor's budget for this request")
        if opener is None and url.lower().startswith("https:"):
            step["error"] = out["bundle"]["error"]
            return step, None
        req = urllib.request.Request(url, headers={"Accept": "application/json"})
        with (opener or untrusting()).open(req, timeout=min(per_request, left)) as resp:
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
    if len(body) > MAX_BYTES:
        step["error"] = {"kind": "json", "type": "TooLarge", "message": "the body is larger than 1 MiB"}
        return step, None
    try:
        return step, json.loads(body.decode("utf-8"))
    except Exception as e:
        step["error"] = {"kind": "json", "type": type(e).__name__, "message": str(e), "bodyStart": body[:80].decode("utf-8", "replace")}
        return step, None

def main():
    env = {k: os.environ.get(k) for k in ("AIGW_GITLAB_URL", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    out["env"] = env
    source = "REQUESTS_CA_BUNDLE" if env["REQUESTS_CA_BUNDLE"] else "SSL_CERT_FILE" if env["SSL_CERT_FILE"] else "default"
    bundle = out["bundle"] = {"source": source, "file": env.get(source)}
    opener = None
    try:
        context = ssl.create_default_context(cafile=env.get(source))
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
