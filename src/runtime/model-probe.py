# The model-route probe (duo-doctor): one request to a self-hosted model server from where the gateway runs, so a
# container's own network (its localhost, its DNS, its proxy variables) answers, not duo-doctor's host's.
# Run as `python3 -c <this file's text> METHOD URL BODY TIMEOUT_S`; prints one `duo-doctor-model-probe={json}` line.
# It trusts as LiteLLM does (src/probes/trust.ts gatewayModelTrust): SSL_VERIFY=false verifies nothing, a bundle path in
# SSL_VERIFY or an existing SSL_CERT_FILE is the bundle, else certifi, else OpenSSL's defaults. Redirects are not
# followed (the openai client does not follow them). Python 3.6+, the standard library (and certifi when present).
import json, os, socket, ssl, sys, time, urllib.error, urllib.request

MARK = "duo-doctor-model-probe="
MAX_BYTES = 1 << 20
method, url, body, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
out = {}


def context():
    verify = (os.environ.get("SSL_VERIFY") or "").strip()
    if verify.lower() == "false":
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        return unverified
    for cafile in (verify if verify.lower() != "true" else "", os.environ.get("SSL_CERT_FILE") or ""):
        if cafile and os.path.exists(cafile):
            return ssl.create_default_context(cafile=cafile)
    try:
        import certifi
        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


def classify(e):
    if isinstance(e, ssl.SSLError): return "tls"
    if isinstance(e, socket.gaierror): return "dns"
    if isinstance(e, ConnectionRefusedError): return "refused"
    if isinstance(e, (socket.timeout, TimeoutError)): return "timeout"
    if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)): return "reset"
    return "other"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


start = time.monotonic()
try:
    data = body.encode("utf-8") if body else None
    headers = {"Accept": "application/json", "User-Agent": "duo-doctor (inside the gateway's container)"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context()))
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        response = e
    out["status"] = response.getcode()
    out["contentType"] = response.headers.get("Content-Type") or ""
    out["body"] = response.read(MAX_BYTES).decode("utf-8", "replace")
except Exception as e:
    reason = e.reason if isinstance(e, urllib.error.URLError) and isinstance(e.reason, BaseException) else e
    out["error"] = {"kind": classify(reason), "message": "%s: %s" % (type(reason).__name__, reason)}
out["elapsedMs"] = int((time.monotonic() - start) * 1000)
sys.stdout.write(MARK + json.dumps(out) + "\n")
